import { z } from 'zod';
import type { KafkaConnection } from './kafka-connection';
import { KafkaBatchTransport } from './kafka-batch.transport';

/** A fake kafkajs consumer: its CRASH listener can be called as kafkajs would. */
function fakeConsumer(log: string[], n: number) {
  const listeners = new Map<string, (e: { payload: unknown }) => void>();
  return {
    events: { GROUP_JOIN: 'join', FETCH: 'fetch', REBALANCING: 'rebalancing', CRASH: 'crash' },
    on: (event: string, listener: (e: { payload: unknown }) => void) =>
      listeners.set(event, listener),
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: () => {
      log.push(`run ${n}`);
      return Promise.resolve();
    },
    disconnect: () => {
      log.push(`disconnect ${n}`);
      return Promise.resolve();
    },
    crash: (message: string) =>
      listeners.get('crash')!({ payload: { error: new Error(message), restart: false } }),
  };
}

/**
 * A process stopped past its session timeout comes back to "the coordinator is not aware of this
 * member", which kafkajs does not retry: the transport joins again with a new consumer instead of
 * the process exiting — up to a limit.
 */
describe('a consumer kafkajs gave up on', () => {
  it('is replaced by one that joins the group again; past five in ten minutes the process gives up', async () => {
    const log: string[] = [];
    const consumers: ReturnType<typeof fakeConsumer>[] = [];
    const connection = {
      connect: () => Promise.resolve(),
      kafka: {
        consumer: () => {
          const c = fakeConsumer(log, consumers.length + 1);
          consumers.push(c);
          return c;
        },
      },
    } as unknown as KafkaConnection;
    const fatal: string[] = [];
    const t = new KafkaBatchTransport(
      connection,
      { groupId: 'g', extraTopics: { 'test.t': z.object({}) } },
      (err) => fatal.push(err.message),
    );
    t.addHandler('test.t', () => Promise.resolve(), true);
    await new Promise<void>((resolve, reject) =>
      t.listen((err) => (err ? reject(err) : resolve())),
    );
    const settle = () => new Promise((r) => setImmediate(r));

    consumers[0]!.crash('The coordinator is not aware of this member');
    await settle();
    expect(log).toEqual(['run 1', 'disconnect 1', 'run 2']);
    expect(fatal).toEqual([]);
    // A crash of the consumer already replaced is not acted on twice.
    consumers[0]!.crash('late news from the old consumer');
    await settle();
    expect(consumers).toHaveLength(2);

    for (let i = 1; i <= 4; i++) {
      consumers[i]!.crash('again');
      await settle();
    }
    expect(consumers).toHaveLength(6);
    expect(fatal).toEqual([]);
    consumers[5]!.crash('and again');
    await settle();
    expect(fatal).toEqual(['and again']);
    expect(t.readinessState().state).toBe('crashed');
    await t.close();
  });
});
