import { Topics } from '@onevoice/contracts';
import { newCustomerId, produceRaw, sleep, testStack, waitFor } from '@onevoice/testing';
import { randomUUID } from 'node:crypto';
import { inboundContact, startConsumer } from './transport-harness';

describe('a rebalance never re-runs work that finished', () => {
  const stack = testStack();

  it('a second instance joining mid-stream takes partitions without any message handled twice', async () => {
    const run = randomUUID().slice(0, 8);
    const customers = Array.from({ length: 12 }, (_, i) => newCustomerId(`rebalance-${run}-${i}`));
    const perCustomer = 20;
    const groupId = `onevoice-test-rebalance-${run}`;
    const handled: { id: string; instance: string }[] = [];
    const ours = (subject: string) => subject.startsWith(`rebalance-${run}-`);

    // Each batch is slow, as a database transaction would be, so that a rebalance lands while
    // batches are in flight. A batch's effects count only once it completes.
    const handlerFor =
      (instance: string) =>
      async (batch: { messages: readonly { event: { id: string; subject: string } }[] }) => {
        await sleep(250);
        handled.push(
          ...batch.messages
            .filter((m) => ours(m.event.subject))
            .map((m) => ({ id: m.event.id, instance })),
        );
      };

    const a = await startConsumer(stack.brokers, groupId, handlerFor('a'));
    let b: { stop(): Promise<void> } | undefined;
    try {
      const produce = async (round: number) =>
        produceRaw(
          stack.brokers,
          Topics.interactions,
          customers.map((c) => ({ key: c, value: JSON.stringify(inboundContact(c, round)) })),
        );
      for (let round = 0; round < perCustomer / 2; round++) await produce(round);
      await waitFor('instance a to make progress', () => (handled.length > 0 ? true : undefined));
      // Instance b joins while a is working through the backlog: a rebalance.
      b = await startConsumer(stack.brokers, groupId, handlerFor('b'));
      for (let round = perCustomer / 2; round < perCustomer; round++) {
        await produce(round);
        await sleep(100);
      }
      const expected = customers.length * perCustomer;
      await waitFor(
        `all ${expected} messages handled`,
        () => (new Set(handled.map((h) => h.id)).size >= expected ? true : undefined),
        {
          timeoutMs: 60_000,
        },
      );
      // The barrier: one more message per customer, behind the others on its partition. Once all
      // are handled, a message handled twice (redelivered after the rebalance) would have been
      // handled again before them.
      await produce(perCustomer);
      const markers = new Set(customers.map((c) => inboundContact(c, perCustomer).id));
      await waitFor('the markers', () =>
        handled.filter((h) => markers.has(h.id)).length >= markers.size ? true : undefined,
      );

      const counts = new Map<string, number>();
      for (const h of handled)
        if (!markers.has(h.id)) counts.set(h.id, (counts.get(h.id) ?? 0) + 1);
      const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      expect(twice).toEqual([]);
      expect(counts.size).toBe(expected);
      // The rebalance really happened: both instances did work.
      expect(new Set(handled.map((h) => h.instance))).toEqual(new Set(['a', 'b']));
    } finally {
      await Promise.all([a.stop(), b?.stop()]);
    }
  });
});
