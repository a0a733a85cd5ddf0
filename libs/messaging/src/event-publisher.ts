import { SpanKind, trace, context as otelContext } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import type { Outbound } from './outbound';
import { extractTraceContext, injectTraceContext } from './trace-context';

const tracer = trace.getTracer('@onevoice/messaging');

/**
 * Publishes CloudEvents, keyed by customer id, with W3C trace headers. Resolves once the broker
 * has acknowledged every message (acks = all, idempotent producer), so a caller can commit its
 * offsets or answer its HTTP caller knowing nothing is lost.
 */
export abstract class EventPublisher {
  abstract publish(messages: readonly Outbound[]): Promise<void>;
}

export class KafkaEventPublisher extends EventPublisher {
  constructor(private readonly producer: Producer) {
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
            'messaging.system': 'kafka',
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
    const byTopic = new Map<
      string,
      { key: string; value: string; headers: Record<string, string> }[]
    >();
    messages.forEach((m, i) => {
      const span = spans[i]!;
      const headers = {
        ...m.headers,
        ...injectTraceContext({}, trace.setSpan(otelContext.active(), span)),
        'content-type': 'application/cloudevents+json',
      };
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key, value: JSON.stringify(m.event), headers });
      byTopic.set(m.topic, list);
    });
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
      });
    } catch (err) {
      for (const span of spans) span.recordException(err as Error);
      throw err;
    } finally {
      for (const span of spans) span.end();
    }
  }
}
