import { ALL_TOPICS } from '@onevoice/contracts';
import { testStack } from '@onevoice/testing';
import { randomUUID } from 'node:crypto';
import { createKafka, ensureTopics, TopicPartitionMismatchError } from '../src';

describe('every topic has one partition count', () => {
  const stack = testStack();
  const kafka = createKafka({
    brokers: stack.brokers,
    clientId: 'onevoice-test-topics',
    partitions: 6,
  });

  it('the contract topics exist with the configured count', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...ALL_TOPICS] });
      expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual(
        ALL_TOPICS.map((t) => [t, 6]).sort(),
      );
      const profiles = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: 'ov.profiles.v1', configNames: ['cleanup.policy'] }],
      });
      expect(profiles.resources[0]!.configEntries[0]!.configValue).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  });

  it('a service configured for another count refuses to start, naming the topics', async () => {
    await expect(ensureTopics(kafka, 3)).rejects.toThrow(TopicPartitionMismatchError);
    await expect(ensureTopics(kafka, 3)).rejects.toThrow(
      /OV_PARTITIONS is 3 but .*ov\.events\.v1 has 6/,
    );
  });

  it('creates missing topics with the count it is given', async () => {
    const topic = `onevoice.test.topics.${randomUUID().slice(0, 8)}`;
    await ensureTopics(kafka, 6, [topic]);
    await ensureTopics(kafka, 6, [topic]); // again: nothing to do
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0]!.partitions).toHaveLength(6);
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await admin.disconnect();
    }
  });
});
