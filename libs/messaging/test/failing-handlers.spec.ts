import { DeadLetterHeaders, Topics } from '@onevoice/contracts';
import { newCustomerId, produceRaw, testStack, TopicTap, waitFor } from '@onevoice/testing';
import { randomUUID } from 'node:crypto';
import { inboundContact, startConsumer } from './transport-harness';

describe('a failing handler neither loses messages nor stops the partition', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack.brokers, [Topics.deadLetters]);
  });
  afterAll(() => tap.close());

  it('a batch that fails twice is retried, and its offsets are committed only once it succeeds', async () => {
    const customer = newCustomerId(`flaky-${randomUUID().slice(0, 6)}`);
    let failuresLeft = 2;
    const completed: string[] = [];
    const consumer = await startConsumer(
      stack.brokers,
      `onevoice-test-flaky-${customer}`,
      async (batch) => {
        const mine = batch.messages.filter((m) => m.event.subject === customer);
        if (mine.length === 0) return;
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new Error('database briefly unhappy');
        }
        completed.push(...mine.map((m) => m.event.id));
      },
    );
    try {
      await produceRaw(
        stack.brokers,
        Topics.interactions,
        [0, 1, 2].map((n) => ({
          key: customer,
          value: JSON.stringify(inboundContact(customer, n)),
        })),
      );
      await waitFor('the retried batch to complete', () =>
        completed.length >= 3 ? true : undefined,
      );
      expect(completed.sort()).toEqual([0, 1, 2].map((n) => `${customer}-${n}`));
    } finally {
      await consumer.stop();
    }
    // Nothing was dead-lettered: the failure was retried, not given up on.
    expect(tap.messages.filter((m) => m.key === customer)).toHaveLength(0);

    // A new instance of the group finds nothing left to do: the offsets were committed.
    const again: string[] = [];
    const second = await startConsumer(
      stack.brokers,
      `onevoice-test-flaky-${customer}`,
      async (batch) => {
        again.push(
          ...batch.messages.filter((m) => m.event.subject === customer).map((m) => m.event.id),
        );
      },
    );
    // The barrier: a message produced now, behind anything left uncommitted on the partition
    // (same key): once it arrives, whatever was left would have arrived before it.
    const marker = inboundContact(customer, 99);
    await produceRaw(stack.brokers, Topics.interactions, [
      { key: customer, value: JSON.stringify(marker) },
    ]);
    await waitFor('the marker', () => (again.includes(marker.id) ? true : undefined));
    await second.stop();
    expect(again.filter((id) => id !== marker.id)).toEqual([]);
  });

  it('a message the handler always fails on is dead-lettered alone; its neighbours are handled once', async () => {
    const customer = newCustomerId(`poison-${randomUUID().slice(0, 6)}`);
    const poisonId = `${customer}-1`;
    const completed: string[] = [];
    const consumer = await startConsumer(
      stack.brokers,
      `onevoice-test-poison-${customer}`,
      async (batch) => {
        const mine = batch.messages.filter((m) => m.event.subject === customer);
        if (mine.some((m) => m.event.id === poisonId)) throw new Error('cannot handle this one');
        completed.push(...mine.map((m) => m.event.id));
      },
    );
    try {
      const values = [0, 1, 2].map((n) => Buffer.from(JSON.stringify(inboundContact(customer, n))));
      await produceRaw(
        stack.brokers,
        Topics.interactions,
        values.map((value) => ({ key: customer, value })),
      );
      const [dead] = await tap.waitForMessages(
        'the poison message dead-lettered',
        (m) => m.key === customer,
      );
      expect(dead!.headers[DeadLetterHeaders.reason]).toBe(
        'handler failed: cannot handle this one',
      );
      expect(dead!.value!.equals(values[1]!)).toBe(true);
      await waitFor('the neighbours handled', () => (completed.length >= 2 ? true : undefined));
      expect(completed.sort()).toEqual([`${customer}-0`, `${customer}-2`]);
    } finally {
      await consumer.stop();
    }
  });
});
