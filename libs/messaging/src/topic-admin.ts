import { ALL_TOPICS, COMPACTED_TOPICS, type TopicName } from '@onevoice/contracts';
import type { Kafka } from 'kafkajs';

export class TopicPartitionMismatchError extends Error {}

/**
 * Creates every OneVoice topic with one partition count (so one consumer instance owns all of a
 * customer's traffic on every topic), and refuses to run against topics that disagree.
 */
export async function ensureTopics(
  kafka: Kafka,
  partitions: number,
  topics: readonly string[] = ALL_TOPICS,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: partitions,
            replicationFactor: -1,
            configEntries: COMPACTED_TOPICS.includes(topic as TopicName)
              ? [{ name: 'cleanup.policy', value: 'compact' }]
              : [],
          })),
        });
      } catch (err) {
        // Several services start at once; losing the race to create a topic is fine.
        if (!/already exists/i.test(String((err as Error).message) + JSON.stringify(err)))
          throw err;
      }
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
    const wrong = metadata.topics
      .filter((t) => t.partitions.length !== partitions)
      .sort((a, b) => a.name.localeCompare(b.name));
    if (wrong.length > 0) {
      throw new TopicPartitionMismatchError(
        `OV_PARTITIONS is ${partitions} but ` +
          wrong.map((t) => `${t.name} has ${t.partitions.length}`).join(', ') +
          ': every OneVoice topic must have the same partition count (docs/design.md §2)',
      );
    }
  } finally {
    await admin.disconnect();
  }
}
