import type { Kafka, KafkaMessage } from 'kafkajs';
import { jsonValueOrNull, type RangeOptions } from './message-bus';

/** Where each partition of a topic ends (its high-water mark): a point to read from later. */
export async function topicEnds(
  kafka: Kafka,
  topic: string,
): Promise<{ partition: number; offset: string }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).map((p) => ({
      partition: p.partition,
      offset: p.high,
    }));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads a topic from `from` (a time, or offsets per partition as `topicEnds` gave them; the start
 * when absent) to its end as it is when called, without joining any group's offsets: a one-off
 * consumer group that commits nothing. Each record becomes `map(record)`: by default its value as
 * parsed JSON (null when it is not JSON). Stops with an error past `maxRecords`.
 */
export async function readTopicRange<T = unknown>(
  kafka: Kafka,
  topic: string,
  options: RangeOptions<T> = {},
): Promise<T[]> {
  const map = options.map ?? ((m: KafkaMessage) => jsonValueOrNull(m) as T);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const from = options.from;
    const starts =
      from === undefined
        ? ends.map((p) => ({ partition: p.partition, offset: p.low }))
        : typeof from === 'number'
          ? await admin.fetchTopicOffsetsByTimestamp(topic, from)
          : from;
    const remaining = new Map<number, bigint>();
    for (const e of ends) {
      const start = BigInt(starts.find((s) => s.partition === e.partition)?.offset ?? e.high);
      if (start < BigInt(e.high)) remaining.set(e.partition, BigInt(e.high));
    }
    const out: T[] = [];
    if (remaining.size === 0) return out;
    const max = options.maxRecords ?? Number.POSITIVE_INFINITY;
    const consumer = kafka.consumer({
      groupId: `onevoice-reader-${process.pid}-${Math.random().toString(36).slice(2)}`,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const done = new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachBatch: ({ batch }) => {
              const high = remaining.get(batch.partition);
              for (const m of batch.messages) {
                if (high === undefined || BigInt(m.offset) >= high) break;
                if (m.value || options.map) out.push(map(m, batch.partition));
                if (BigInt(m.offset) + 1n >= high) remaining.delete(batch.partition);
              }
              options.progress?.(out.length);
              if (out.length > max)
                reject(new Error(`${topic} holds more than ${max} records in that range`));
              else if (remaining.size === 0) resolve();
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
      for (const s of starts)
        consumer.seek({ topic, partition: s.partition, offset: String(s.offset) });
      await done;
    } finally {
      await consumer.disconnect();
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}
