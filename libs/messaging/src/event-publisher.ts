import { SpanKind, trace, context as otelContext } from '@opentelemetry/api';
import { TOMBSTONE_HEADER } from '@onevoice/contracts';
import type { Sender } from './resilient-producer';
import { publishedMessages } from './messaging-metrics';
import type { Outbound } from './outbound';
import { extractTraceContext, injectTraceContext } from './trace-context';

const tracer = trace.getTracer('@onevoice/messaging');

/**
 * Largest sum of value sizes sent in one produce request. A partition's messages in one request
 * form one record batch, which the broker refuses above `message.max.bytes` (1 MiB by default).
 */
const MAX_REQUEST_BYTES = 512 * 1024;

/**
 * Publishes CloudEvents, keyed by customer id, with W3C trace headers. Resolves once the broker
 * has acknowledged every message (acks = all, idempotent producer), so a caller can commit its
 * offsets or answer its HTTP caller knowing nothing is lost.
 */
export abstract class EventPublisher {
  abstract publish(messages: readonly Outbound[]): Promise<void>;
}

export class KafkaEventPublisher extends EventPublisher {
  constructor(
    private readonly producer: Sender,
    /** `messaging.system` on its spans: `kafka`, or the embedded mode's log. */
    private readonly system = 'kafka',
  ) {
    super();
  }

  async publish(messages: readonly Outbound[]): Promise<void> {
    if (messages.length === 0) return;
    const spans = messages.map((m) =>
      tracer.startSpan(
        `send ${m.topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': this.system,
            'messaging.operation.type': 'send',
            'messaging.operation.name': 'send',
            'messaging.destination.name': m.topic,
            'messaging.kafka.message.key': m.key,
            'messaging.message.id': m.event.id,
            'cloudevents.event_type': m.event.type,
          },
        },
        extractTraceContext(m.headers),
      ),
    );
    const requests: Map<
      string,
      { key: string; value: string | null; headers: Record<string, string> }[]
    >[] = [];
    let current = new Map<
      string,
      { key: string; value: string | null; headers: Record<string, string> }[]
    >();
    let bytes = 0;
    messages.forEach((m, i) => {
      const span = spans[i]!;
      const headers = {
        ...m.headers,
        ...injectTraceContext({}, trace.setSpan(otelContext.active(), span)),
        'content-type': 'application/cloudevents+json',
      };
      // A tombstone (see `tombstone`) is a null value: compaction then forgets the key.
      const value = m.headers[TOMBSTONE_HEADER] ? null : (m.json ?? JSON.stringify(m.event));
      const size = value?.length ?? 0;
      if (bytes > 0 && bytes + size > MAX_REQUEST_BYTES) {
        requests.push(current);
        current = new Map();
        bytes = 0;
      }
      bytes += size;
      const list = current.get(m.topic) ?? [];
      list.push({ key: m.key, value, headers });
      current.set(m.topic, list);
    });
    requests.push(current);
    try {
      // In order: a customer's messages keep their order within a partition.
      for (const request of requests) {
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...request].map(([topic, msgs]) => ({ topic, messages: msgs })),
        });
      }
      for (const m of messages) publishedMessages.add(1, { topic: m.topic, type: m.event.type });
    } catch (err) {
      for (const span of spans) span.recordException(err as Error);
      throw err;
    } finally {
      for (const span of spans) span.end();
    }
  }
}

/** How long an HTTP caller is kept waiting for the broker's acknowledgement by default (ms). */
export const DEFAULT_HTTP_PUBLISH_DEADLINE_MS = 10_000;

/**
 * Publishes for an HTTP caller, who is not kept waiting out the producer's retries (about a
 * minute when the broker is away): past `deadlineMs` it fails with a retriable error (answered
 * 503 with Retry-After). The publish may still go through afterwards; events are identified, so
 * the caller's retry is taken once.
 */
export async function publishWithin(
  publisher: EventPublisher,
  messages: readonly Outbound[],
  deadlineMs = DEFAULT_HTTP_PUBLISH_DEADLINE_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`Kafka did not acknowledge the events within ${deadlineMs} ms`), {
            retriable: true,
          }),
        ),
      deadlineMs,
    );
  });
  const publishing = publisher.publish(messages);
  // Should it fail after the deadline, that is already answered: not an unhandled rejection.
  publishing.catch(() => undefined);
  try {
    await Promise.race([publishing, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
