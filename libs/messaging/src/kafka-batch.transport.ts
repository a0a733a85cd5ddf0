import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import {
  COMPACTED_TOPICS,
  parseMessage,
  TOPIC_EVENT_SCHEMAS,
  validateMessage,
  type Rejection,
  type TopicName,
} from '@onevoice/contracts';
import type { ZodType } from 'zod';
import type { Admin, Consumer, EachBatchPayload, TopicPartitionOffset } from 'kafkajs';
import type { ObservableResult } from '@opentelemetry/api';
import { lastValueFrom } from 'rxjs';
import type { DeadLetterSource } from './dead-letters';
import { EventBatch, type InboundMessage } from './event-batch';
import type { KafkaConnection } from './kafka-connection';
import { consumedMessages, consumerLag } from './messaging-metrics';
import { COMMIT_WAIT_MS, OffsetCommits } from './offset-commits';
import { extractTraceContext } from './trace-context';
import { isTransientError } from './transient-errors';

export interface KafkaBatchTransportOptions {
  /** Consumer group: one per service, shared by all its instances. */
  groupId: string;
  /** A new group starts at the beginning of each topic: nothing published before it is lost. */
  fromBeginning?: boolean;
  /** Attempts at a failing batch before its messages are tried one by one. */
  attempts?: number;
  /** Upper bound for one partition's fetch, which bounds a batch. */
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  /** Fetch until this many bytes are ready, or `fetchMaxWaitMs` has passed. */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  /**
   * Partitions whose batches are handled at once. Each batch is still committed
   * before the next fetch, and kafkajs re-joins only once all of a fetch's batches are done.
   */
  concurrency?: number;
  /**
   * Topics outside the OneVoice contract this instance may consume, with their schemas (the
   * benchmark's echo topics, say). Contract topics always use the contract's schemas.
   */
  extraTopics?: Record<string, ZodType>;
}

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

/** Partitions an instance handles at once unless told otherwise (measured: `npm run bench:coordinator`). */
export const DEFAULT_KAFKA_CONCURRENCY = 3;

/** Consumers kafkajs gave up on that are replaced in ten minutes before the process gives up. */
const MAX_CONSUMER_REPLACEMENTS = 5;

type Readiness = 'starting' | 'joining' | 'consuming' | 'rebalancing' | 'crashed' | 'stopped';

/**
 * A NestJS transport over kafkajs. Handlers stay `@EventPattern(Topics.x)`, and receive an
 * `EventBatch` of parsed CloudEvents from one partition. Unlike Nest's stock Kafka transport it:
 * - consumes in batches, and commits a batch's offsets only after its handler resolved (the
 *   handler commits its database transaction first), so an acknowledged offset is finished work;
 * - works on up to `concurrency` partitions at once; the last batch in flight commits every
 *   finished batch's offset (one request, not one per batch) before it returns to kafkajs, which
 *   fetches again (and re-joins the group) only once a fetch's batches are all done: a rebalance
 *   waits for in-flight work (the group still accepts commits of the old generation while it
 *   prepares), so finished work is never handed to another instance;
 * - dead-letters what fails to parse, or what a handler rejects or keeps failing on, with the
 *   reason and the original bytes, and carries on;
 * - continues the W3C trace of every message.
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger('KafkaBatchTransport');
  private consumer: Consumer | undefined;
  private readiness: Readiness = 'starting';
  private assigned: Record<string, number[]> = {};
  private readonly attempts: number;
  private readonly handlersByTopic = new Map<string, MessageHandler | null>();
  /** Offsets after finished batches, not committed yet, and when to commit them. */
  private readonly commits = new OffsetCommits();
  private commitTimer: NodeJS.Timeout | undefined;
  /** Reads offsets for the lag metric, connected at the first scrape. */
  private lagAdmin: Promise<Admin> | undefined;
  private readonly observeLag = (result: ObservableResult) => this.measureLag(result);
  /** When consumers kafkajs gave up on were replaced (see `replaceConsumer`). */
  private replacements: number[] = [];

  constructor(
    private readonly connection: KafkaConnection,
    private readonly options: KafkaBatchTransportOptions,
    private readonly onFatal: (error: Error) => void = () => undefined,
  ) {
    super();
    this.attempts = options.attempts ?? 3;
  }

  /** For readiness probes: consuming means joined to the group with partitions assigned. */
  readinessState(): { ready: boolean; state: Readiness; assignment: Record<string, number[]> } {
    return {
      ready: this.readiness === 'consuming',
      state: this.readiness,
      assignment: this.assigned,
    };
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  on(): void {
    throw new Error('KafkaBatchTransport has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  async close(): Promise<void> {
    this.readiness = 'stopped';
    clearTimeout(this.commitTimer);
    consumerLag.removeCallback(this.observeLag);
    const admin = this.lagAdmin;
    this.lagAdmin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
    if (this.consumer) await this.commitWaiting(this.consumer);
    // kafkajs waits for the batch in flight, then leaves the group.
    await this.consumer?.disconnect();
  }

  private async start(): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    const unknown = topics.filter((t) => !this.schemaOf(t));
    if (unknown.length > 0) {
      throw new Error(`@EventPattern names unknown topics: ${unknown.join(', ')}`);
    }
    await this.connection.connect();
    if (topics.length === 0) {
      this.readiness = 'consuming';
      return;
    }
    const consumer = this.connection.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      // A fetch returns as soon as anything is there (lowest latency); a larger `fetchMinBytes`
      // trades a little latency for fuller batches. Measured both ways: see the issue notes.
      minBytes: this.options.fetchMinBytes ?? 1,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 250,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 1_048_576,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = payload.memberAssignment;
      this.commits.forget();
      // Ready once the first fetch after joining has fixed where each partition is read from
      // (a new group starting at the end would otherwise miss what arrives in between).
      this.readiness = 'joining';
      this.logger.log({
        msg: 'joined consumer group',
        group: payload.groupId,
        assignment: payload.memberAssignment,
      });
    });
    consumer.on(consumer.events.FETCH, () => {
      if (this.readiness === 'joining') this.readiness = 'consuming';
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (this.readiness === 'consuming') this.readiness = 'rebalancing';
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error({
        msg: 'consumer crashed',
        error: payload.error.message,
        restart: payload.restart,
      });
      if (!payload.restart && this.consumer === consumer) void this.replaceConsumer(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? DEFAULT_KAFKA_CONCURRENCY,
      eachBatch: (payload) => this.consumeBatch(consumer, payload),
    });
    consumerLag.addCallback(this.observeLag);
    this.logger.log({ msg: 'consuming', group: this.options.groupId, topics });
  }

  /**
   * A consumer kafkajs gave up on — typically one the group removed while this process was stopped
   * or starved past its session timeout ("the coordinator is not aware of this member") — is
   * replaced by a new one that joins the group again, instead of the process exiting. Past
   * MAX_CONSUMER_REPLACEMENTS in ten minutes it gives up, and the process exits for its supervisor.
   */
  private async replaceConsumer(error: Error): Promise<void> {
    const now = performance.now();
    this.replacements = this.replacements.filter((at) => now - at < 600_000);
    if (this.readiness === 'stopped') return;
    if (this.replacements.length >= MAX_CONSUMER_REPLACEMENTS) {
      this.readiness = 'crashed';
      this.onFatal(error);
      return;
    }
    this.replacements.push(now);
    this.readiness = 'starting';
    this.logger.warn({
      msg: 'consumer stopped for good by kafkajs; joining the group again with a new one',
      error: error.message,
      replacements: this.replacements.length,
    });
    const old = this.consumer;
    this.consumer = undefined;
    this.assigned = {};
    this.commits.forget();
    consumerLag.removeCallback(this.observeLag);
    await old?.disconnect().catch(() => undefined);
    if (this.readiness !== 'starting') return;
    try {
      await this.start();
    } catch (err) {
      this.readiness = 'crashed';
      this.onFatal(err as Error);
    }
  }

  /**
   * The lag of each partition this instance owns: the end of its log less the group's committed
   * offset (or, with none committed, the log's start). Read from the broker at each scrape, so a
   * consumer that is stuck shows its lag growing.
   */
  private async measureLag(result: ObservableResult): Promise<void> {
    const owned = Object.entries(this.assigned).filter(([, partitions]) => partitions.length > 0);
    if (owned.length === 0 || this.readiness === 'stopped') return;
    try {
      this.lagAdmin ??= (async () => {
        const admin = this.connection.kafka.admin();
        await admin.connect();
        return admin;
      })();
      const admin = await this.lagAdmin;
      const groupId = this.options.groupId;
      const [committed, ...ends] = await Promise.all([
        admin.fetchOffsets({ groupId, topics: owned.map(([topic]) => topic) }),
        ...owned.map(([topic]) => admin.fetchTopicOffsets(topic)),
      ]);
      owned.forEach(([topic, partitions], i) => {
        const mine = new Set(partitions);
        const at = new Map(
          committed
            .find((c) => c.topic === topic)
            ?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? [],
        );
        for (const end of ends[i]!) {
          if (!mine.has(end.partition)) continue;
          const low = BigInt(end.low);
          const from = at.get(end.partition) ?? -1n;
          const lag = BigInt(end.high) - (from >= low ? from : low);
          result.observe(Number(lag), { group: groupId, topic, partition: end.partition });
        }
      });
    } catch (err) {
      this.lagAdmin = undefined;
      this.logger.warn({ msg: 'could not read the consumer lag', error: (err as Error).message });
    }
  }

  /** Consumes one batch, then commits what waits or leaves it to a later batch (see OffsetCommits). */
  private async consumeBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    this.commits.started();
    let done: BatchDone;
    try {
      done = await this.handleBatch(payload);
    } catch (err) {
      // It failed (kafkajs retries it): what waits is left to the other batches, or the timer.
      if (this.commits.finished(undefined, { handled: false }) !== 'nothing')
        this.scheduleCommit(consumer);
      throw err;
    }
    const step = this.commits.finished(done.next, done);
    if (step === 'commit') await this.commitWaiting(consumer, { rethrow: true });
    else if (step === 'schedule') this.scheduleCommit(consumer);
  }

  /**
   * Parses, dead-letters and handles one batch. Returns the offset after it, to commit (none when
   * the partition was taken away meanwhile), and whether it did any work (not only skip).
   */
  private async handleBatch(payload: EachBatchPayload): Promise<BatchDone> {
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
      await this.connection.deadLetters.send(invalid);
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

  /** Commits what waits within a second, unless a batch's commit takes it first. */
  private scheduleCommit(consumer: Consumer): void {
    if (this.commitTimer || this.readiness === 'stopped') return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitWaiting(consumer);
    }, COMMIT_WAIT_MS);
    this.commitTimer.unref();
  }

  /**
   * Commits every finished batch's offset. A failure is thrown to kafkajs with `rethrow` (as a
   * batch's own commit always was: it then re-joins the group or retries), and otherwise logged;
   * either way those batches are read again by whoever owns their partitions next, and their
   * handlers find the work done.
   */
  private async commitWaiting(consumer: Consumer, { rethrow = false } = {}): Promise<void> {
    const offsets = this.commits.take();
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
    } catch (err) {
      if (rethrow) throw err;
      this.logger.warn({
        msg: 'could not commit offsets; those messages will be read again',
        error: (err as Error).message,
      });
    }
  }

  private async handleValid(
    handler: MessageHandler,
    messages: InboundMessage<unknown>[],
    payload: EachBatchPayload,
  ): Promise<void> {
    const run = async (part: InboundMessage<unknown>[]) => {
      const eventBatch = new EventBatch(
        payload.batch.topic,
        payload.batch.partition,
        this.options.groupId,
        part,
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
      await this.connection.deadLetters.send(
        rejected.map(([m, rejection]) => ({
          source: {
            topic: m.topic,
            partition: m.partition,
            message: payload.batch.messages.find((raw) => raw.offset === m.offset)!,
            consumer: this.options.groupId,
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
  private async withRetries<T>(work: () => Promise<T>, payload: EachBatchPayload): Promise<T> {
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
  private handlerFor(topic: string): MessageHandler | null {
    let handler = this.handlersByTopic.get(topic);
    if (handler === undefined)
      this.handlersByTopic.set(topic, (handler = this.getHandlerByPattern(topic)));
    return handler;
  }

  private schemaOf(topic: string): ZodType | undefined {
    return Object.hasOwn(TOPIC_EVENT_SCHEMAS, topic)
      ? TOPIC_EVENT_SCHEMAS[topic as TopicName]
      : this.options.extraTopics?.[topic];
  }

  private sourceOf(
    partition: number,
    topic: string,
    message: DeadLetterSource['message'],
  ): DeadLetterSource {
    return { topic, partition, message, consumer: this.options.groupId };
  }
}

/** A batch consumed: the offset after it, to commit, and whether it did work (not only skip). */
interface BatchDone {
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
