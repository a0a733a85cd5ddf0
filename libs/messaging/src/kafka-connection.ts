import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Partitioners, type Kafka } from 'kafkajs';
import { DeadLetterPublisher } from './dead-letters';
import { KafkaEventPublisher } from './event-publisher';
import { createKafka, type KafkaSettings } from './kafka-config';
import { ResilientProducer } from './resilient-producer';
import { KafkaBatchTransport, type KafkaBatchTransportOptions } from './kafka-batch.transport';
import { MessageBus, type RangeOptions } from './message-bus';
import { ensureTopics } from './topic-admin';
import { readTopicRange } from './topic-range';

/**
 * One Kafka client and one idempotent producer per process, shared by the publisher, the
 * dead-letter publisher and the consuming transport. A producer that wedges (its sequence numbers
 * refused for good) is replaced by a new one; readiness says so meanwhile.
 */
@Injectable()
export class KafkaConnection extends MessageBus implements OnApplicationShutdown {
  readonly kind = 'kafka' as const;
  private readonly logger = new Logger(KafkaConnection.name);
  readonly kafka: Kafka;
  readonly producer: ResilientProducer;
  readonly publisher: KafkaEventPublisher;
  readonly deadLetters: DeadLetterPublisher;
  private connected: Promise<void> | undefined;

  constructor(readonly settings: KafkaSettings) {
    super();
    this.kafka = createKafka(settings);
    this.producer = new ResilientProducer(() =>
      this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // murmur2 on the key, as the Java client: other teams' producers land on the same partitions.
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    );
    this.publisher = new KafkaEventPublisher(this.producer);
    this.deadLetters = new DeadLetterPublisher(this.producer);
  }

  /** Creates the topics (once) and connects the producer. Safe to call many times. */
  connect(): Promise<void> {
    this.connected ??= (async () => {
      const started = performance.now();
      await ensureTopics(this.kafka, this.settings.partitions);
      await this.producer.connect();
      this.logger.log({
        msg: 'connected to Kafka',
        brokers: this.settings.brokers.join(','),
        partitions: this.settings.partitions,
        ms: Math.round(performance.now() - started),
      });
    })();
    return this.connected;
  }

  publishReadiness() {
    // A producer that wedged is being replaced: nothing can be published until it is.
    return this.producer.readiness();
  }

  readRange<T = unknown>(topic: string, options: RangeOptions<T> = {}): Promise<T[]> {
    return readTopicRange(this.kafka, topic, options);
  }

  consumer(options: KafkaBatchTransportOptions, onFatal?: (error: Error) => void) {
    return new KafkaBatchTransport(this, options, onFatal);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
