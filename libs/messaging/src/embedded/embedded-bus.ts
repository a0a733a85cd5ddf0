import { Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { ObservableResult } from '@opentelemetry/api';
import type { KafkaMessage, Producer, RecordMetadata } from 'kafkajs';
import { BatchAbandoned, BatchHandlingServer } from '../batch-handling';
import { DeadLetterPublisher } from '../dead-letters';
import { KafkaEventPublisher } from '../event-publisher';
import type { KafkaBatchTransportOptions } from '../kafka-batch.transport';
import {
  jsonValueOrNull,
  MessageBus,
  type ConsumerReadiness,
  type ConsumingTransport,
  type RangeOptions,
} from '../message-bus';
import { consumerLag } from '../messaging-metrics';
import type { Sender } from '../resilient-producer';
import type { DurableLog } from './durable-log';

/**
 * `messaging.system` on the embedded mode's spans: the messages went through OneVoice's own log,
 * not Kafka (an SRE's Kafka dashboards should not count them). The other attributes are as over
 * Kafka — the log has the same topics, keys, partitions, offsets and consumer groups.
 */
export const EMBEDDED_LOG_SYSTEM = 'onevoice_log';

/** Records one embedded batch holds at most (a Kafka fetch is bounded by bytes instead). */
const MAX_BATCH = 500;

/**
 * The embedded mode's bus: the same publisher (`KafkaEventPublisher`, so the same keys, headers
 * and trace context), dead-letter publisher and batch handling as over Kafka, on a `DurableLog`.
 */
export class EmbeddedBus extends MessageBus {
  readonly kind = 'embedded' as const;
  readonly publisher: KafkaEventPublisher;
  readonly deadLetters: DeadLetterPublisher;
  private readonly sender: Sender;

  constructor(readonly log: DurableLog) {
    super();
    this.sender = new LogSender(log);
    this.publisher = new KafkaEventPublisher(this.sender, EMBEDDED_LOG_SYSTEM);
    this.deadLetters = new DeadLetterPublisher(this.sender);
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  publishReadiness() {
    return { ok: true };
  }

  readRange<T = unknown>(topic: string, options: RangeOptions<T> = {}): Promise<T[]> {
    const map = options.map ?? ((m: KafkaMessage) => jsonValueOrNull(m) as T);
    const max = options.maxRecords ?? Number.POSITIVE_INFINITY;
    const out: T[] = [];
    for (let partition = 0; partition < this.log.partitions; partition++) {
      const end = this.log.end(topic, partition);
      const from = options.from;
      let at =
        from === undefined || typeof from === 'number'
          ? 0n
          : BigInt(from.find((f) => f.partition === partition)?.offset ?? end);
      while (at < end) {
        const records = this.log.read(topic, partition, at, Math.min(MAX_BATCH, Number(end - at)));
        for (const record of records) {
          if (typeof from === 'number' && Number(record.timestamp) < from) continue;
          if (record.value || options.map) out.push(map(record, partition));
        }
        at += BigInt(records.length);
        options.progress?.(out.length);
        if (out.length > max)
          return Promise.reject(new Error(`${topic} holds more than ${max} records in that range`));
      }
    }
    return Promise.resolve(out);
  }

  consumer(options: KafkaBatchTransportOptions, onFatal?: (error: Error) => void) {
    return new EmbeddedBatchTransport(this, options, onFatal);
  }
}

/** kafkajs's producer calls, answered by appending to the log. */
class LogSender implements Sender {
  constructor(private readonly log: DurableLog) {}

  send(record: Parameters<Producer['send']>[0]): Promise<RecordMetadata[]> {
    return this.sendBatch({ topicMessages: [record] });
  }

  async sendBatch(batch: Parameters<Producer['sendBatch']>[0]): Promise<RecordMetadata[]> {
    const out: RecordMetadata[] = [];
    for (const { topic, messages } of batch.topicMessages ?? []) {
      const placed = this.log.appendNow(topic, messages);
      for (const p of placed)
        out.push({ topicName: topic, partition: p.partition, errorCode: 0, baseOffset: p.offset });
    }
    await this.log.flush();
    return out;
  }
}

type State = 'starting' | 'consuming' | 'stopped';

/**
 * A consumer group over the durable log, as a Nest transport: one loop per partition of each
 * subscribed topic, up to `concurrency` batches handled at once, each batch's offset committed
 * once its handler resolved (so an acknowledged offset is finished work, as over Kafka). One
 * process owns every partition: there is no rebalance, and `isStale` is never true.
 */
export class EmbeddedBatchTransport
  extends BatchHandlingServer
  implements CustomTransportStrategy, ConsumingTransport
{
  protected override readonly logger = new Logger('EmbeddedBatchTransport');
  protected override readonly messagingSystem = EMBEDDED_LOG_SYSTEM;
  private state: State = 'starting';
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly positions = new Map<string, bigint>();
  private assigned: Record<string, number[]> = {};
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly observeLag = (result: ObservableResult) => this.measureLag(result);

  constructor(
    private readonly bus: EmbeddedBus,
    private readonly options: KafkaBatchTransportOptions,
    private readonly onFatal: (error: Error) => void = () => undefined,
  ) {
    super(bus.deadLetters, options);
    this.concurrency = options.concurrency ?? 3;
    // One listener per partition's loop.
    setMaxListeners(0, this.stopping.signal);
  }

  readinessState(): ConsumerReadiness {
    return { ready: this.state === 'consuming', state: this.state, assignment: this.assigned };
  }

  listen(callback: (err?: unknown) => void): void {
    try {
      this.start();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  unwrap<T>(): T {
    return this.bus.log as T;
  }

  async close(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    consumerLag.removeCallback(this.observeLag);
    this.stopping.abort();
    // Batches in flight finish (and commit) before the log closes.
    await Promise.all(this.loops);
  }

  private start(): void {
    const topics = this.subscribedTopics();
    const log = this.bus.log;
    for (const topic of topics) {
      this.assigned[topic] = [];
      for (let partition = 0; partition < log.partitions; partition++) {
        this.assigned[topic].push(partition);
        const committed = log.committed(this.groupId, topic, partition);
        const from =
          committed ?? (this.options.fromBeginning === false ? log.end(topic, partition) : 0n);
        this.positions.set(`${topic}/${partition}`, from);
        this.loops.push(this.consume(topic, partition));
      }
    }
    this.state = 'consuming';
    consumerLag.addCallback(this.observeLag);
    if (topics.length > 0)
      this.logger.log({
        msg: 'consuming',
        group: this.groupId,
        topics,
        partitions: log.partitions,
      });
  }

  /** One partition's loop: wait for records, handle a batch, commit, and again. */
  private async consume(topic: string, partition: number): Promise<void> {
    const log = this.bus.log;
    const key = `${topic}/${partition}`;
    const signal = this.stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      const at = this.positions.get(key)!;
      if (log.end(topic, partition) <= at) {
        await log.waitFor(topic, partition, at, signal);
        continue;
      }
      await this.slot();
      try {
        if (signal.aborted) break;
        const messages = log.read(topic, partition, at, MAX_BATCH);
        const done = await this.handleBatch({
          batch: { topic, partition, messages },
          isRunning: () => this.state !== 'stopped',
          isStale: () => false,
          resolveOffset: () => undefined,
          heartbeat: () => Promise.resolve(),
        });
        // Skipped only, or done: either way the group moves past the batch.
        const next = BigInt(messages[messages.length - 1]!.offset) + 1n;
        if (!done.next && done.handled) break; // stopped mid-batch: read again at the next start
        await log.commit(this.groupId, [{ topic, partition, offset: String(next) }]);
        this.positions.set(key, next);
        failures = 0;
      } catch (err) {
        if (err instanceof BatchAbandoned || signal.aborted) break;
        failures++;
        const delay = Math.min(100 * 2 ** Math.min(failures - 1, 6), 5_000);
        this.logger.error({
          msg: 'batch failed; trying it again',
          topic,
          partition,
          attempt: failures,
          delayMs: delay,
          error: (err as Error).message,
        });
        if ((err as Error).message === 'the durable log is closed') {
          this.onFatal(err as Error);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      } finally {
        this.release();
      }
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }

  private measureLag(result: ObservableResult): void {
    if (this.state !== 'consuming') return;
    for (const [key, at] of this.positions) {
      const slash = key.lastIndexOf('/');
      const topic = key.slice(0, slash);
      const partition = Number(key.slice(slash + 1));
      const lag = this.bus.log.end(topic, partition) - at;
      result.observe(Number(lag), { group: this.groupId, topic, partition });
    }
  }
}
