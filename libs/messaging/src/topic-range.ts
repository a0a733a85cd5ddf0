import type { Kafka } from 'kafkajs';

/**
 * Reads a topic from `from` (a time; the start when absent) to its end as it is when called, as
 * parsed JSON values (null for a record that is not JSON), without joining any group's offsets:
 * a one-off consumer group that commits nothing. Stops with an error past `maxRecords`.
 */
export async function readTopicRange(
  kafka: Kafka,
  topic: string,
  options: { from?: number; maxRecords?: number; progress?: (read: number) => void } = {},
): Promise<unknown[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const starts =
      options.from === undefined
        ? ends.map((p) => ({ partition: p.partition, offset: p.low }))
        : await admin.fetchTopicOffsetsByTimestamp(topic, options.from);
    const remaining = new Map<number, bigint>();
    for (const e of ends) {
      const start = BigInt(starts.find((s) => s.partition === e.partition)?.offset ?? e.high);
      if (start < BigInt(e.high)) remaining.set(e.partition, BigInt(e.high));
    }
    const out: unknown[] = [];
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
                if (m.value) out.push(parseOrNull(m.value.toString()));
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

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
