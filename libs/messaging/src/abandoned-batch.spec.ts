import type { EachBatchPayload } from 'kafkajs';
import { z } from 'zod';
import type { KafkaConnection } from './kafka-connection';
import { KafkaBatchTransport } from './kafka-batch.transport';

/**
 * A batch whose handler fails because the database is away, while the group rebalances: its
 * healthy messages are neither dead-lettered nor committed past — the partition's next owner
 * reads them again.
 */
describe('a batch failing while its partition is taken away', () => {
  const topic = 'test.abandoned';
  const databaseAway = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
    code: 'ECONNREFUSED',
  });

  function transport() {
    const deadLetters = { send: jest.fn(() => Promise.resolve()) };
    const t = new KafkaBatchTransport({ deadLetters } as unknown as KafkaConnection, {
      groupId: 'test',
      attempts: 2,
      extraTopics: { [topic]: z.object({ id: z.string() }) },
    });
    const handler = jest.fn(() => Promise.reject(databaseAway));
    t.addHandler(topic, handler, true);
    return { t, deadLetters, handler };
  }

  function payload(heartbeat: () => Promise<void>, running = () => true) {
    const messages = ['a', 'b', 'c'].map((id, i) => ({
      offset: String(10 + i),
      key: Buffer.from('c-1'),
      value: Buffer.from(JSON.stringify({ id })),
      headers: {},
      timestamp: '0',
      attributes: 0,
    }));
    const resolveOffset = jest.fn();
    return {
      resolveOffset,
      payload: {
        batch: { topic, partition: 0, messages },
        isRunning: running,
        isStale: () => false,
        heartbeat,
        resolveOffset,
      } as unknown as EachBatchPayload,
    };
  }

  const handle = (t: KafkaBatchTransport, p: EachBatchPayload) =>
    (t as unknown as { handleBatch(p: EachBatchPayload): Promise<unknown> }).handleBatch(p);

  it('the heartbeat reports a rebalance: nothing dead-lettered, no offset resolved', async () => {
    const { t, deadLetters, handler } = transport();
    const rebalancing = Object.assign(new Error('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    const { payload: p, resolveOffset } = payload(() => Promise.reject(rebalancing));
    await expect(handle(t, p)).resolves.toEqual({ handled: true });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(deadLetters.send).not.toHaveBeenCalled();
    expect(resolveOffset).not.toHaveBeenCalled();
  });

  it('the consumer stops while it waits: the same', async () => {
    const { t, deadLetters } = transport();
    let running = true;
    const { payload: p, resolveOffset } = payload(
      () => {
        running = false;
        return Promise.resolve();
      },
      () => running,
    );
    await expect(handle(t, p)).resolves.toEqual({ handled: true });
    expect(deadLetters.send).not.toHaveBeenCalled();
    expect(resolveOffset).not.toHaveBeenCalled();
  });

  it('a message that keeps failing for itself is still dead-lettered, alone', async () => {
    const { t, deadLetters, handler } = transport();
    handler.mockImplementation(((batch: { messages: { event: { id: string } }[] }) =>
      batch.messages.some((m) => m.event.id === 'b')
        ? Promise.reject(new Error('bad b'))
        : Promise.resolve()) as never);
    const { payload: p, resolveOffset } = payload(() => Promise.resolve());
    await expect(handle(t, p)).resolves.toMatchObject({ handled: true });
    expect(deadLetters.send).toHaveBeenCalledTimes(1);
    const [[sent]] = deadLetters.send.mock.calls as unknown as [
      [{ source: { message: { offset: string } } }[]],
    ];
    expect(sent.map((d) => d.source.message.offset)).toEqual(['11']);
    expect(resolveOffset).toHaveBeenCalledWith('12');
  });
});
