import type { Producer } from 'kafkajs';
import { ResilientProducer, wedgingError } from './resilient-producer';

/** A fake producer: `fail` is thrown by its next sends. */
function fakeProducer(id: number, log: string[]) {
  const p = {
    id,
    fail: undefined as unknown,
    connect: () => {
      log.push(`connect ${id}`);
      return Promise.resolve();
    },
    disconnect: () => {
      log.push(`disconnect ${id}`);
      return Promise.resolve();
    },
    send: () => {
      log.push(`send ${id}`);
      return p.fail ? Promise.reject(p.fail) : Promise.resolve([]);
    },
    sendBatch: () => Promise.resolve([]),
  };
  return p;
}

const protocolError = (type: string) =>
  Object.assign(new Error(`The broker says ${type}`), { type, retriable: false });

describe('a producer that wedges', () => {
  it('finds the wedging error however kafkajs wrapped it', () => {
    expect(wedgingError(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
    const retried = Object.assign(new Error('retries exhausted'), {
      originalError: protocolError('UNKNOWN_PRODUCER_ID'),
    });
    expect(wedgingError(retried)).toBe('UNKNOWN_PRODUCER_ID');
    expect(wedgingError(protocolError('LEADER_NOT_AVAILABLE'))).toBeUndefined();
    expect(wedgingError(new Error('connection refused'))).toBeUndefined();
  });

  it('fails the send that met it, then sends through a new producer; readiness tells meanwhile', async () => {
    const log: string[] = [];
    const made: ReturnType<typeof fakeProducer>[] = [];
    const resilient = new ResilientProducer(() => {
      const p = fakeProducer(made.length + 1, log);
      made.push(p);
      return p as unknown as Producer;
    });
    await resilient.connect();
    made[0]!.fail = protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const record = { topic: 't', messages: [{ value: 'v' }] };
    await expect(resilient.send(record)).rejects.toThrow(/OUT_OF_ORDER_SEQUENCE_NUMBER/);
    expect(resilient.readiness().ok).toBe(false);
    await resilient.send(record);
    expect(resilient.readiness()).toEqual({
      ok: true,
      detail: {
        rebuilds: 1,
        lastWedge: { error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', at: expect.any(String) },
      },
    });
    expect(log).toEqual(['connect 1', 'send 1', 'disconnect 1', 'connect 2', 'send 2']);
  });

  it('keeps its producer through other failures (the broker away is retried by the caller)', async () => {
    const log: string[] = [];
    const p = fakeProducer(1, log);
    const resilient = new ResilientProducer(() => p as unknown as Producer);
    await resilient.connect();
    p.fail = Object.assign(new Error('Connection error: ECONNREFUSED'), { retriable: true });
    await expect(resilient.send({ topic: 't', messages: [] })).rejects.toThrow(/ECONNREFUSED/);
    expect(resilient.readiness().detail.rebuilds).toBe(0);
    expect(log).toEqual(['connect 1', 'send 1']);
  });
});
