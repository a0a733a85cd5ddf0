import {
  context as otelContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { Rejection } from '@onevoice/contracts';

const tracer = trace.getTracer('@onevoice/messaging');

/** One parsed message of a batch, with where it came from and its trace context. */
export interface InboundMessage<E> {
  event: E;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The message's original bytes, for dead-lettering. */
  raw: Buffer;
  /** Its Kafka timestamp (ms since the epoch): when its producer sent it. */
  timestamp: number;
  traceContext: Context;
}

/**
 * A batch of valid messages from one partition, in offset order, handed to an `@EventPattern`
 * handler. The transport commits its offsets only after the handler's promise resolves, so a
 * handler that commits its database transaction before returning never loses work.
 */
export class EventBatch<E> {
  private readonly rejections = new Map<InboundMessage<E>, Rejection>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly consumerGroup: string,
    readonly messages: readonly InboundMessage<E>[],
    /** `messaging.system` on its spans: `kafka`, or the embedded mode's log. */
    readonly system = 'kafka',
  ) {}

  /**
   * Runs `work` for one message inside a CONSUMER span whose parent is the producer's span, so
   * everything the work does (database calls, messages it publishes) joins the sender's trace.
   */
  async trace<T>(message: InboundMessage<E>, work: (span: Span) => Promise<T>): Promise<T> {
    const span = tracer.startSpan(
      `process ${message.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': this.system,
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.destination.name': message.topic,
          'messaging.destination.partition.id': String(message.partition),
          'messaging.kafka.offset': Number(message.offset),
          'messaging.consumer.group.name': this.consumerGroup,
          ...(message.key ? { 'messaging.kafka.message.key': message.key } : {}),
          ...eventAttributes(message.event),
        },
      },
      message.traceContext,
    );
    try {
      return await otelContext.with(trace.setSpan(message.traceContext, span), () => work(span));
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  }

  /** Marks a message as one the handler refuses (bad business input): it goes to the DLQ. */
  reject(message: InboundMessage<E>, rejection: Rejection): void {
    this.rejections.set(message, rejection);
  }

  /** @internal read by the transport after the handler returns. */
  rejected(): [InboundMessage<E>, Rejection][] {
    return [...this.rejections];
  }
}

function eventAttributes(event: unknown): Record<string, string> {
  if (typeof event !== 'object' || event === null) return {};
  const e = event as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  if (typeof e.id === 'string') attrs['messaging.message.id'] = e.id;
  if (typeof e.type === 'string') attrs['cloudevents.event_type'] = e.type;
  if (typeof e.source === 'string') attrs['cloudevents.event_source'] = e.source;
  return attrs;
}
