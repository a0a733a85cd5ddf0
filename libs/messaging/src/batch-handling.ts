import { Logger } from '@nestjs/common';
import { Server, type MessageHandler } from '@nestjs/microservices';
import {
  COMPACTED_TOPICS,
  parseMessage,
  TOPIC_EVENT_SCHEMAS,
  validateMessage,
  type Rejection,
  type TopicName,
} from '@onevoice/contracts';
import type { KafkaMessage, TopicPartitionOffset } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { ZodType } from 'zod';
import type { DeadLetterPublisher, DeadLetterSource } from './dead-letters';
import { EventBatch, type InboundMessage } from './event-batch';
import { consumedMessages } from './messaging-metrics';
import { extractTraceContext } from './trace-context';
import { isTransientError } from './transient-errors';

/**
 * What a handler may say of the messages it wants, as the extras of its pattern:
 * `@EventPattern(Topics.decisions, { skipSources: ['onevoice/coordinator'] })`. Messages from a
 * skipped source are passed over unchecked (their offsets are committed with the batch's, or,
 * where a batch holds nothing else, with the next commit): a service that reads a topic it also
 * writes need not validate its own output again.
 */
export interface HandlerExtras {
  skipSources?: readonly string[];
}

/**
 * One partition's batch as a consuming transport hands it over: kafkajs's `EachBatchPayload`, or
 * the embedded log's equivalent.
 */
export interface BatchPayload {
  batch: { topic: string; partition: number; messages: KafkaMessage[] };
  /** False once the consumer stops. */
  isRunning(): boolean;
  /** True once the partition was taken away (a rebalance): nothing may be committed for it. */
  isStale(): boolean;
  resolveOffset(offset: string): void;
  /** Tells the group this consumer is alive (throws when it no longer is a member). */
  heartbeat(): Promise<void>;
}

export interface BatchHandlingOptions {
  /** Consumer group: one per service, shared by all its instances. */
  groupId: string;
  /** Attempts at a failing batch before its messages are tried one by one. */
  attempts?: number;
  /**
   * Topics outside the OneVoice contract this instance may consume, with their schemas (the
   * benchmark's echo topics, say). Contract topics always use the contract's schemas.
   */
  extraTopics?: Record<string, ZodType>;
}

/**
 * What every OneVoice consuming transport does with a batch, whatever the log beneath it (Kafka,
 * or the embedded mode's durable log): parse and validate each message against its topic's schema,
 * dead-letter what is not valid (reason and original bytes), hand the rest to the topic's
 * `@EventPattern` handler as one `EventBatch`, retry what fails (transient failures for as long
 * as the partition is ours), and, where a batch keeps failing, find the message at fault and
 * dead-letter only it. Handlers stay the same in both modes.
 */
export abstract class BatchHandlingServer extends Server {
  protected override readonly logger: Logger = new Logger('BatchTransport');
  private readonly handlersByTopic = new Map<string, MessageHandler | null>();
  protected readonly groupId: string;
  /** What its spans say carried the messages (`messaging.system`). */
  protected readonly messagingSystem: string = 'kafka';
  private readonly attempts: number;
  private readonly extraTopics: Record<string, ZodType> | undefined;

  constructor(
    protected readonly deadLetters: DeadLetterPublisher,
    options: BatchHandlingOptions,
  ) {
    super();
    this.groupId = options.groupId;
    this.attempts = options.attempts ?? 3;
    this.extraTopics = options.extraTopics;
  }

  on(): void {
    throw new Error(`${this.constructor.name} has no events to subscribe to`);
  }

  /** The topics handlers subscribed to; throws when one is not a known topic. */
  protected subscribedTopics(): string[] {
    const topics = [...this.messageHandlers.keys()];
    const unknown = topics.filter((t) => !this.schemaOf(t));
    if (unknown.length > 0) {
      throw new Error(`@EventPattern names unknown topics: ${unknown.join(', ')}`);
    }
    return topics;
  }

  /**
   * Parses, dead-letters and handles one batch. Returns the offset after it, to commit (none when
   * the partition was taken away meanwhile), and whether it did any work (not only skip).
   */
  protected async handleBatch(payload: BatchPayload): Promise<BatchDone> {
    const { batch } = payload;
    const topic = batch.topic;
    const handler = this.handlerFor(topic);
    const schema = this.schemaOf(topic);
    if (!handler || !schema) return { handled: false };

    const valid: InboundMessage<unknown>[] = [];
    const invalid: { source: DeadLetterSource; rejection: Rejection }[] = [];
    const skipSources = (handler.extras as HandlerExtras | undefined)?.skipSources;
    let skipped = 0;
    for (const message of batch.messages) {
      // A tombstone on a compacted topic (an erased customer's profile): nothing to handle.
      if (message.value === null && COMPACTED_TOPICS.includes(topic as TopicName)) {
        skipped++;
        continue;
      }
      const json = parseMessage(message.value);
      if (json.ok && skipSources && skipSources.includes(eventSourceOf(json.value))) {
        skipped++;
        continue;
      }
      const decoded = json.ok ? validateMessage(schema, json.value) : json;
      if (decoded.ok) {
        valid.push({
          event: decoded.event,
          topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          raw: message.value ?? Buffer.alloc(0),
          timestamp: Number(message.timestamp),
          traceContext: extractTraceContext(message.headers),
        });
      } else {
        invalid.push({
          source: this.sourceOf(batch.partition, topic, message),
          rejection: decoded.rejection,
        });
      }
    }
    if (invalid.length > 0) {
      this.logger.warn({
        msg: 'dead-lettering messages that are not valid',
        topic,
        count: invalid.length,
        reasons: invalid.map((i) => i.rejection.reason).slice(0, 5),
      });
      await this.deadLetters.send(invalid);
      consumedMessages.add(invalid.length, { topic, outcome: 'dead_lettered' });
    }
    if (skipped > 0) consumedMessages.add(skipped, { topic, outcome: 'skipped' });
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const next = { topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() };
    if (valid.length === 0 && invalid.length === 0) {
      // Everything skipped: nothing was done that a lost commit would make us do again, so the
      // offset may wait for another batch's commit, or a timer's.
      payload.resolveOffset(last);
      return { next, handled: false };
    }
    if (valid.length > 0) {
      try {
        await this.handleValid(handler, valid, payload);
      } catch (err) {
        if (!(err instanceof BatchAbandoned)) throw err;
        // Nothing committed: whoever owns the partition now reads these messages again.
        this.logger.warn({
          msg: 'batch abandoned: this instance no longer owns its partition',
          topic,
          partition: batch.partition,
          error: String(err.cause),
        });
        return { handled: true };
      }
    }
    if (!payload.isRunning() || payload.isStale()) return { handled: true };
    payload.resolveOffset(last);
    return { next, handled: true };
  }

  private async handleValid(
    handler: MessageHandler,
    messages: InboundMessage<unknown>[],
    payload: BatchPayload,
  ): Promise<void> {
    const run = async (part: InboundMessage<unknown>[]) => {
      const eventBatch = new EventBatch(
        payload.batch.topic,
        payload.batch.partition,
        this.groupId,
        part,
        this.messagingSystem,
      );
      const result: unknown = await handler(eventBatch);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      return eventBatch.rejected();
    };
    const rejected = await this.withRetries(() => run(messages), payload).catch(
      async (err: unknown) => {
        if (err instanceof BatchAbandoned) throw err;
        // The batch keeps failing: find the message at fault, so one poison message cannot
        // stop the partition, and dead-letter only it.
        this.logger.warn({
          msg: 'batch keeps failing; retrying its messages one by one',
          error: String(err),
        });
        const found: [InboundMessage<unknown>, Rejection][] = [];
        for (const message of messages) {
          try {
            found.push(...(await this.withRetries(() => run([message]), payload)));
          } catch (messageErr) {
            // Lost the partition while looking: nothing here is at fault, and nothing is kept.
            if (messageErr instanceof BatchAbandoned) throw messageErr;
            found.push([message, { reason: `handler failed: ${(messageErr as Error).message}` }]);
          }
        }
        return found;
      },
    );
    const topic = payload.batch.topic;
    consumedMessages.add(messages.length - rejected.length, { topic, outcome: 'handled' });
    if (rejected.length > 0) {
      consumedMessages.add(rejected.length, { topic, outcome: 'dead_lettered' });
      await this.deadLetters.send(
        rejected.map(([m, rejection]) => ({
          source: {
            topic: m.topic,
            partition: m.partition,
            message: payload.batch.messages.find((raw) => raw.offset === m.offset)!,
            consumer: this.groupId,
          },
          rejection,
        })),
      );
    }
  }

  /**
   * Retries a failing handler. Transient failures (the database or broker is away) are retried
   * for as long as this instance owns the partition; others `attempts` times.
   */
  private async withRetries<T>(work: () => Promise<T>, payload: BatchPayload): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        const transient = isTransientError(err);
        // Rebalanced away or stopping: the failure says nothing about the messages.
        if (!payload.isRunning() || payload.isStale()) throw new BatchAbandoned(err);
        if (!transient && attempt >= this.attempts) throw err;
        const delay = Math.min(100 * 2 ** (attempt - 1), 5_000);
        this.logger.warn({
          msg: transient ? 'transient failure; retrying' : 'handler failed; retrying',
          topic: payload.batch.topic,
          partition: payload.batch.partition,
          attempt,
          delayMs: delay,
          error: (err as Error).message,
        });
        await new Promise((resolve) => setTimeout(resolve, delay));
        try {
          await payload.heartbeat();
        } catch (lost) {
          // The group is rebalancing (or this member was fenced): the partition is not ours to
          // commit. Before, this escaped to the one-by-one search, which dead-lettered every
          // healthy message of a batch failing for a database outage and committed past them.
          throw new BatchAbandoned(lost);
        }
      }
    }
  }

  /**
   * The handler of a topic, looked up once: Nest's lookup first tries the pattern as JSON, and
   * a topic name is not, so each lookup threw (and built) an exception — per batch.
   */
  protected handlerFor(topic: string): MessageHandler | null {
    let handler = this.handlersByTopic.get(topic);
    if (handler === undefined)
      this.handlersByTopic.set(topic, (handler = this.getHandlerByPattern(topic)));
    return handler;
  }

  protected schemaOf(topic: string): ZodType | undefined {
    return Object.hasOwn(TOPIC_EVENT_SCHEMAS, topic)
      ? TOPIC_EVENT_SCHEMAS[topic as TopicName]
      : this.extraTopics?.[topic];
  }

  private sourceOf(
    partition: number,
    topic: string,
    message: DeadLetterSource['message'],
  ): DeadLetterSource {
    return { topic, partition, message, consumer: this.groupId };
  }
}

/** A batch consumed: the offset after it, to commit, and whether it did work (not only skip). */
export interface BatchDone {
  next?: TopicPartitionOffset;
  handled: boolean;
}

/** A parsed event's `source`, if it has a string one. */
function eventSourceOf(json: unknown): string {
  const source = (json as { source?: unknown } | null)?.source;
  return typeof source === 'string' ? source : '';
}

/**
 * A batch given up because this instance no longer owns its partition (a rebalance, a fenced
 * member, a shutdown): neither a handler's failure nor a reason to dead-letter anything.
 */
export class BatchAbandoned extends Error {
  constructor(override readonly cause: unknown) {
    super(`batch abandoned: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
