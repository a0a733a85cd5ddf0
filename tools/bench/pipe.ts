/**
 * `npm run bench:pipe` — the one-hop echo pipe: what Kafka alone costs through OneVoice's own
 * transport and publisher, with no database and no business logic. Other benchmarks report their
 * throughput as a ratio to this figure measured in the same run, so that a noisy machine does
 * not move the target.
 *
 *   producer → <in> → KafkaBatchTransport → @EventPattern handler (re-publishes each event) → <out> → measuring consumer
 *
 * 1. throughput: BENCH_MESSAGES events are produced first, then the pipe starts; messages per
 *    second from the pipe's start to the last echo received;
 * 2. latency: events produced at BENCH_LOAD (0.7) of that rate for BENCH_SECONDS; p50/p99 of
 *    produce → echo received.
 * The topics are made for the run and deleted after it.
 */
import { startTracing, stopTracing } from '@onevoice/observability';
startTracing('bench-pipe');

import { Controller, Module } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { cloudEventEnvelopeSchema, type TopicName } from '@onevoice/contracts';
import {
  createKafka,
  ensureTopics,
  EventBatch,
  outbound,
  startStandaloneConsumer,
  EventPublisher,
} from '@onevoice/messaging';
import { randomUUID } from 'node:crypto';
import { machineCpuMs } from './cpu';
import { Partitioners, type Kafka } from 'kafkajs';

export interface PipeFigures {
  messages: number;
  partitions: number;
  throughputPerSecond: number;
  /** The whole machine's busy CPU per event while draining (see `machineCpuMs`). */
  machineCpuMicrosPerEvent: number;
  latency: { ratePerSecond: number; sent: number; p50Ms: number; p99Ms: number; maxMs: number };
}

type Envelope = ReturnType<typeof cloudEventEnvelopeSchema.parse>;

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const partitions = Number(process.env.OV_PARTITIONS ?? 6);

/** The `p`th percentile (0–100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs the echo pipe on the real broker and returns its figures. */
export async function measurePipe({
  messages = Number(process.env.BENCH_MESSAGES ?? 20_000),
  seconds = Number(process.env.BENCH_SECONDS ?? 10),
  load = Number(process.env.BENCH_LOAD ?? 0.7),
  customers = 1_000,
  log = (line: string) => process.stderr.write(`[bench:pipe] ${line}\n`),
  /** The latency phase's rate, instead of `load` of the measured throughput. */
  rate: fixedRate = undefined as number | undefined,
} = {}): Promise<PipeFigures> {
  const run = randomUUID().slice(0, 8);
  const inTopic = `onevoice.bench.pipe-in.${run}`;
  const outTopic = `onevoice.bench.pipe-out.${run}`;
  const kafka = createKafka({ brokers, clientId: `bench-pipe-${run}`, partitions });
  await ensureTopics(kafka, partitions, [inTopic, outTopic]);

  const received = new Map<number, number>();
  let onReceived: () => void = () => undefined;
  const tap = await openTap(kafka, outTopic, run, (seq) => {
    received.set(seq, performance.now());
    onReceived();
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // The services' partitioner (the Java client's murmur2), said so to silence kafkajs's notice.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const sentAt = new Map<number, number>();
  const send = async (from: number, count: number) => {
    const batch = [];
    for (let seq = from; seq < from + count; seq++) {
      const subject = `cust-${seq % customers}`;
      sentAt.set(seq, performance.now());
      batch.push({
        key: subject,
        value: JSON.stringify({
          specversion: '1.0',
          id: `${run}-${seq}`,
          source: 'bench',
          type: 'bench.echo',
          subject,
          time: new Date().toISOString(),
          data: { seq, padding: 'x'.repeat(200) },
        }),
      });
    }
    await producer.send({ topic: inTopic, acks: -1, messages: batch });
  };
  const until = (count: number, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.size}/${count} echoes after ${timeoutMs} ms`)),
        timeoutMs,
      );
      onReceived = () => {
        if (received.size >= count) {
          clearTimeout(timer);
          resolve();
        }
      };
      onReceived();
    });

  log(
    `producing ${messages} events to ${inTopic} (${partitions} partitions, ${customers} customers)`,
  );
  for (let seq = 0; seq < messages; seq += 1_000) await send(seq, Math.min(1_000, messages - seq));

  const pipe = await startPipe(run, inTopic, outTopic);
  const started = performance.now();
  const machineCpu = machineCpuMs();
  await until(messages, 300_000);
  const throughput = messages / ((performance.now() - started) / 1000);
  const machineCpuMicros = ((machineCpuMs() - machineCpu) * 1000) / messages;
  log(
    `throughput: ${throughput.toFixed(0)} events/s; machine CPU ${machineCpuMicros.toFixed(0)} µs per event`,
  );

  const rate = fixedRate ?? Math.max(10, Math.floor(throughput * load));
  log(
    fixedRate === undefined
      ? `latency: producing ${rate} events/s (${Math.round(load * 100)}% of that) for ${seconds} s`
      : `latency: producing ${rate} events/s for ${seconds} s`,
  );
  const tickMs = 20;
  const perTick = rate / (1000 / tickMs);
  let next = messages;
  let owed = 0;
  const loadStart = performance.now();
  while (performance.now() - loadStart < seconds * 1000) {
    owed += perTick;
    const n = Math.floor(owed);
    owed -= n;
    const tick = performance.now();
    if (n > 0) {
      await send(next, n);
      next += n;
    }
    const rest = tickMs - (performance.now() - tick);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
  await until(next, 60_000);
  const latencies = [...Array(next - messages).keys()]
    .map((i) => received.get(messages + i)! - sentAt.get(messages + i)!)
    .sort((a, b) => a - b);

  await pipe.stop();
  await tap.disconnect();
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [inTopic, outTopic] }).catch(() => undefined);
  await admin.disconnect();

  return {
    messages,
    partitions,
    throughputPerSecond: Math.round(throughput),
    machineCpuMicrosPerEvent: Math.round(machineCpuMicros),
    latency: {
      ratePerSecond: rate,
      sent: latencies.length,
      p50Ms: Number(percentile(latencies, 50).toFixed(1)),
      p99Ms: Number(percentile(latencies, 99).toFixed(1)),
      maxMs: Number((latencies[latencies.length - 1] ?? NaN).toFixed(1)),
    },
  };
}

async function openTap(kafka: Kafka, topic: string, run: string, seen: (seq: number) => void) {
  const consumer = kafka.consumer({ groupId: `bench-pipe-tap-${run}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.run({
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const event = JSON.parse(m.value!.toString()) as { data: { seq: number } };
        seen(event.data.seq);
      }
    },
  });
  await joined;
  return consumer;
}

/** The pipe itself: the production transport and publisher, echoing each event. */
async function startPipe(run: string, inTopic: string, outTopic: string) {
  @Controller()
  class EchoConsumer {
    constructor(private readonly publisher: EventPublisher) {}

    @EventPattern(inTopic)
    async echo(@Payload() batch: EventBatch<Envelope>): Promise<void> {
      const out = await Promise.all(
        batch.messages.map((m) =>
          batch.trace(m, async () =>
            // The bench's own topic is outside the contract's topic names.
            outbound(outTopic as TopicName, {
              ...m.event,
              time: m.event.time ?? '',
              datacontenttype: 'application/json',
            }),
          ),
        ),
      );
      await this.publisher.publish(out);
    }
  }
  @Module({ controllers: [EchoConsumer] })
  class PipeModule {}

  return startStandaloneConsumer(
    PipeModule,
    { brokers, clientId: `bench-pipe-${run}`, partitions },
    {
      groupId: `bench-pipe-${run}`,
      extraTopics: { [inTopic]: cloudEventEnvelopeSchema },
      // The services' setting, so the ratio compares like with like.
      concurrency: Number(process.env.OV_KAFKA_CONCURRENCY) || undefined,
    },
  );
}

if (require.main === module) {
  measurePipe()
    .then(async (figures) => {
      process.stdout.write(
        [
          '',
          'one-hop echo pipe (Kafka → OneVoice transport → Kafka), no database',
          `  events                 ${figures.messages} over ${figures.partitions} partitions`,
          `  throughput             ${figures.throughputPerSecond} events/s`,
          `  latency at ${figures.latency.ratePerSecond}/s   p50 ${figures.latency.p50Ms} ms, p99 ${figures.latency.p99Ms} ms, max ${figures.latency.maxMs} ms (${figures.latency.sent} events)`,
          `BENCH_PIPE ${JSON.stringify(figures)}`,
          '',
        ].join('\n'),
      );
      await stopTracing();
      process.exit(0);
    })
    .catch((err: unknown) => {
      process.stderr.write(`bench:pipe failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
}
