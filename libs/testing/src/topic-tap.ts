import { randomUUID } from 'node:crypto';
import { headerStrings } from '@onevoice/messaging';
import { Kafka, logLevel } from 'kafkajs';
import { STAFF, type TestStack } from './stack';
import { waitFor } from './wait';

export interface TappedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** When the tap read it (performance.now()), for latency measurements. */
  receivedAt: number;
  /**
   * The message's Kafka timestamp (ms since the epoch): when its producer built the request that
   * carried it, unless the topic stamps append times.
   */
  timestamp: number;
}

/**
 * Reads one or more topics from their current end: what a spec sees is what happened after it
 * opened. Over Kafka (given the stack, or brokers) a consumer of its own; in the embedded mode,
 * the embedded log's HTTP API (`GET /v1/log/{topic}`), polled.
 */
export class TopicTap {
  readonly messages: TappedMessage[] = [];

  private constructor(private readonly stop: () => Promise<void>) {}

  static async open(where: TestStack | string[], topics: string[]): Promise<TopicTap> {
    if (!Array.isArray(where) && where.bus === 'embedded')
      return TopicTap.openEmbedded(where.services.onevoice!, topics);
    const brokers = Array.isArray(where) ? where : where.brokers;
    const kafka = new Kafka({ clientId: 'onevoice-test-tap', brokers, logLevel: logLevel.NOTHING });
    const groupId = `onevoice-test-tap-${randomUUID()}`;
    // Read each partition from its end as of now: nothing produced after `open` is missed,
    // nothing before it is read.
    const admin = kafka.admin();
    await admin.connect();
    const ends = new Map<string, string>();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic))
        ends.set(`${topic}/${p.partition}`, p.high);
    }
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const tap = new TopicTap(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topics });
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.run({
      // By batch: a benchmark's tap shares the machine with what it measures, and kafkajs's
      // per-message path costs several times more per message.
      eachBatch: async ({ batch: { topic, partition, messages } }) => {
        const from = BigInt(ends.get(`${topic}/${partition}`) ?? '0');
        const receivedAt = performance.now();
        for (const message of messages) {
          if (BigInt(message.offset) < from) continue;
          tap.messages.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value,
            headers: headerStrings(message.headers),
            receivedAt,
            timestamp: Number(message.timestamp),
          });
        }
      },
    });
    for (const [at, offset] of ends) {
      const [topic, partition] = at.split('/') as [string, string];
      consumer.seek({ topic, partition: Number(partition), offset });
    }
    await joined;
    return tap;
  }

  /** CloudEvents seen on `topic` (unparseable values are left out), optionally for one customer. */
  events<T = { id: string; type: string; subject: string; data: Record<string, unknown> }>(
    topic: string,
    customerId?: string,
  ): T[] {
    return this.messages
      .filter((m) => m.topic === topic && (customerId === undefined || m.key === customerId))
      .flatMap((m) => {
        try {
          return [JSON.parse(m.value?.toString('utf8') ?? '') as T];
        } catch {
          return [];
        }
      });
  }

  /** Waits until at least `count` messages match. */
  async waitForMessages(
    what: string,
    match: (m: TappedMessage) => boolean,
    { count = 1, timeoutMs = 30_000 } = {},
  ): Promise<TappedMessage[]> {
    return waitFor(
      what,
      () => {
        const found = this.messages.filter(match);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs },
    );
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private static async openEmbedded(url: string, topics: string[]): Promise<TopicTap> {
    const auth = { authorization: STAFF.ops };
    const overview = (await (await fetch(`${url}/v1/log`, { headers: auth })).json()) as {
      ends: Record<string, string[]>;
    };
    const at = new Map<string, number>();
    for (const topic of topics)
      (overview.ends[topic] ?? []).forEach((end, p) => at.set(`${topic}/${p}`, Number(end)));
    let open = true;
    const tap = new TopicTap(async () => {
      open = false;
      await polling;
    });
    const poll = async () => {
      for (const [key, from] of at) {
        const slash = key.lastIndexOf('/');
        const [topic, partition] = [key.slice(0, slash), key.slice(slash + 1)];
        const res = await fetch(
          `${url}/v1/log/${topic}?partition=${partition}&from=${from}&limit=1000`,
          { headers: auth },
        );
        if (!res.ok) continue;
        const body = (await res.json()) as {
          records: {
            offset: string;
            timestamp: number;
            key: string | null;
            value?: string | null;
            valueBase64?: string;
            headers: Record<string, string>;
          }[];
        };
        const receivedAt = performance.now();
        for (const r of body.records)
          tap.messages.push({
            topic,
            partition: Number(partition),
            offset: r.offset,
            key: r.key,
            value:
              r.valueBase64 !== undefined
                ? Buffer.from(r.valueBase64, 'base64')
                : r.value === null || r.value === undefined
                  ? null
                  : Buffer.from(r.value),
            headers: r.headers,
            receivedAt,
            timestamp: r.timestamp,
          });
        at.set(key, from + body.records.length);
      }
    };
    const polling = (async () => {
      while (open) {
        await poll().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    return tap;
  }
}

/**
 * Commits a new consumer group's offsets at the current end of `topic`, so that a service started
 * in that group processes only what comes next there (and has an offset on every partition).
 */
export async function startGroupAtEnd(
  brokers: string[],
  groupId: string,
  topic: string,
): Promise<void> {
  const admin = new Kafka({
    clientId: 'onevoice-test-admin',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  } finally {
    await admin.disconnect();
  }
}
