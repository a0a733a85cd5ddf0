import { Logger } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import type { ObservableResult } from '@opentelemetry/api';
import { BatchHandlingServer, type BatchDone, type BatchHandlingOptions } from './batch-handling';
import type { KafkaConnection } from './kafka-connection';
import { consumerLag } from './messaging-metrics';
import { COMMIT_WAIT_MS, OffsetCommits } from './offset-commits';

export interface KafkaBatchTransportOptions extends BatchHandlingOptions {
  /** A new group starts at the beginning of each topic: nothing published before it is lost. */
  fromBeginning?: boolean;
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
export class KafkaBatchTransport extends BatchHandlingServer implements CustomTransportStrategy {
  protected override readonly logger = new Logger('KafkaBatchTransport');
  private consumer: Consumer | undefined;
  private readiness: Readiness = 'starting';
  private assigned: Record<string, number[]> = {};
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
    super(connection.deadLetters, options);
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
    const topics = this.subscribedTopics();
    await this.connection.connect();
    if (topics.length === 0) {
      this.readiness = 'consuming';
      return;
    }
    const consumer = this.connection.kafka.consumer({
      groupId: this.groupId,
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
    this.logger.log({ msg: 'consuming', group: this.groupId, topics });
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
      const groupId = this.groupId;
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
}
