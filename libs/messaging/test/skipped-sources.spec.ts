import { DeadLetterHeaders, Topics } from '@onevoice/contracts';
import { newCustomerId, produceRaw, testStack, TopicTap, waitFor } from '@onevoice/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { inboundContact, startConsumer } from './transport-harness';

/**
 * A handler that names sources to skip (`@EventPattern(topic, { skipSources })`) is given only
 * the other sources' messages; the skipped ones are passed over unread, their offsets committed.
 */
describe('a handler that skips its own source', () => {
  const stack = testStack();

  it('receives the other sources, and checks only theirs', async () => {
    const customer = newCustomerId(`skip-${randomUUID().slice(0, 6)}`);
    const tap = await TopicTap.open(stack.brokers, [Topics.deadLetters]);
    const received: string[] = [];
    const group = `onevoice-test-skip-${customer}`;
    const consumer = await startConsumer(
      stack.brokers,
      group,
      async (batch) => {
        received.push(
          ...batch.messages.filter((m) => m.event.subject === customer).map((m) => m.event.id),
        );
        return Promise.resolve();
      },
      { skipSources: ['onevoice/self'] },
    );
    try {
      const mine = { ...inboundContact(customer, 1), source: 'onevoice/self' };
      const theirs = inboundContact(customer, 2);
      // Invalid (no data), but from the skipped source: never read, so never dead-lettered.
      const mineBroken = { ...inboundContact(customer, 3), source: 'onevoice/self', data: null };
      // Invalid and from another source: dead-lettered as always.
      const theirsBroken = { ...inboundContact(customer, 4), data: null };
      await produceRaw(
        stack.brokers,
        Topics.interactions,
        [mine, theirs, mineBroken, theirsBroken].map((e) => ({
          key: customer,
          value: JSON.stringify(e),
        })),
      );
      // This group's dead letters (the running services dead-letter the broken ones too).
      const ours = () =>
        tap.messages
          .filter((m) => m.key === customer && m.headers[DeadLetterHeaders.consumer] === group)
          .map((m) => (JSON.parse(m.value!.toString()) as { id: string }).id);
      await waitFor('the other source’s message and its broken one dead-lettered', () =>
        received.length >= 1 && ours().length >= 1 ? true : undefined,
      );
      // The barrier: another source's message, behind the others on the partition.
      const marker = inboundContact(customer, 5);
      await produceRaw(stack.brokers, Topics.interactions, [
        { key: customer, value: JSON.stringify(marker) },
      ]);
      await waitFor('the marker', () => (received.includes(marker.id) ? true : undefined));
      expect(received).toEqual([`${customer}-2`, marker.id]);
      // Only the other source's broken message: the skipped source's was never read.
      expect(ours()).toEqual([`${customer}-4`]);
    } finally {
      await consumer.stop();
      await tap.close();
    }

    // The skipped messages' offsets were committed with the batch: a new instance has nothing.
    const again: string[] = [];
    const second = await startConsumer(stack.brokers, group, async (batch) => {
      again.push(
        ...batch.messages.filter((m) => m.event.subject === customer).map((m) => m.event.id),
      );
      return Promise.resolve();
    });
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

  it('commits the offsets of batches that hold only skipped messages, without another batch', async () => {
    const customer = newCustomerId(`skip-only-${randomUUID().slice(0, 6)}`);
    const group = `onevoice-test-skip-only-${customer}`;
    const admin = new Kafka({
      clientId: group,
      brokers: stack.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    // How far the group's committed offsets lag behind the topic's end, over all partitions.
    const lag = async () => {
      const ends = await admin.fetchTopicOffsets(Topics.interactions);
      const [committed] = await admin.fetchOffsets({
        groupId: group,
        topics: [Topics.interactions],
      });
      return ends.reduce((sum, end) => {
        const at = committed!.partitions.find((p) => p.partition === end.partition)?.offset;
        return sum + Number(end.offset) - Math.max(0, Number(at ?? 0));
      }, 0);
    };
    const received: string[] = [];
    const consumer = await startConsumer(
      stack.brokers,
      group,
      async (batch) => {
        received.push(...batch.messages.map((m) => m.event.id));
        return Promise.resolve();
      },
      { skipSources: ['onevoice/self'] },
    );
    try {
      await waitFor('the group to catch up with the topic', async () =>
        (await lag()) === 0 ? true : undefined,
      );
      const handledBefore = received.length;
      await produceRaw(
        stack.brokers,
        Topics.interactions,
        [1, 2, 3].map((n) => ({
          key: customer,
          value: JSON.stringify({ ...inboundContact(customer, n), source: 'onevoice/self' }),
        })),
      );
      // Nothing else arrives to commit with: the skipped messages' offsets are committed alone.
      await waitFor('the skipped messages’ offsets to be committed', async () =>
        (await lag()) === 0 ? true : undefined,
      );
      expect(received.slice(handledBefore).filter((id) => id.startsWith(customer))).toEqual([]);
    } finally {
      await consumer.stop();
      await admin.disconnect();
    }
  });
});
