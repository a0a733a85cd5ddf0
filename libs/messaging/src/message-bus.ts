import type { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import type { DeadLetterPublisher } from './dead-letters';
import type { EventPublisher } from './event-publisher';
import type { KafkaBatchTransportOptions } from './kafka-batch.transport';

/** A consuming transport's state, for readiness probes. */
export interface ConsumerReadiness {
  ready: boolean;
  state: string;
  assignment: Record<string, number[]>;
}

/** A Nest transport that feeds a service's `@EventPattern` handlers from the bus. */
export type ConsumingTransport = Server &
  CustomTransportStrategy & { readinessState(): ConsumerReadiness };

/** Where to read a topic from (see `MessageBus.readRange`). */
export interface RangeOptions<T> {
  /** A time (ms since the epoch), or offsets per partition; the topic's start when absent. */
  from?: number | readonly { partition: number; offset: string }[];
  /** Fails past this many records. */
  maxRecords?: number;
  progress?: (read: number) => void;
  /** What each record becomes; by default its value as parsed JSON (null when not JSON). */
  map?: (record: KafkaMessage, partition: number) => T;
}

/**
 * What services need of the log beneath them, whichever it is: Kafka (`KafkaConnection`) or the
 * embedded mode's durable log (`EmbeddedBus`). Services inject `EventPublisher`; bootstrap asks
 * the bus for a consuming transport; tools read ranges of a topic.
 */
export abstract class MessageBus {
  abstract readonly kind: 'kafka' | 'embedded';
  abstract readonly publisher: EventPublisher;
  abstract readonly deadLetters: DeadLetterPublisher;
  /** Makes the topics ready and the publisher connected. Safe to call many times. */
  abstract connect(): Promise<void>;
  /** Whether publishing works now (for readiness). */
  abstract publishReadiness(): { ok: boolean; detail?: unknown };
  /** Reads a topic from `from` to its end as it is when called, committing nothing. */
  abstract readRange<T = unknown>(topic: string, options?: RangeOptions<T>): Promise<T[]>;
  /** A consuming transport for one consumer group. */
  abstract consumer(
    options: KafkaBatchTransportOptions,
    onFatal?: (error: Error) => void,
  ): ConsumingTransport;
}

/** A record's value as parsed JSON, or null. */
export function jsonValueOrNull(record: KafkaMessage): unknown {
  if (!record.value) return null;
  try {
    return JSON.parse(record.value.toString()) as unknown;
  } catch {
    return null;
  }
}
