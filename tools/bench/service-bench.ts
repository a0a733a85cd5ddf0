/**
 * What the service benchmarks share: real Kafka and Postgres, the echo pipe measured first in
 * the same run (the baseline every ratio is against), the service as a real process with a
 * database and a consumer group of its own (from the topics' end: no earlier run's history in
 * the way), a producer, and the report.
 */
import {
  createTestDatabase,
  provideInfrastructure,
  startServiceProcess,
  type Infrastructure,
  type ServiceName,
  type ServiceProcess,
  type TopicTap,
} from '@onevoice/testing';
import { Kafka, logLevel, Partitioners, type Message, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { databaseCpuMs, machineCpuMs, processCpuMs } from './cpu';
import { measurePipe } from './pipe';

export interface ServiceBench {
  /** Unique per run: message ids and customer ids carry it. */
  run: string;
  infra: Infrastructure;
  /**
   * The echo pipe's events per second in this run: measured before the service starts, and — once
   * `pipeAgain` ran — the mean of that and a second measurement after the service's (so a drift
   * of this shared machine during the run weighs on both sides).
   */
  readonly pipePerSecond: number;
  /** Each pipe measurement of the run, in order. */
  readonly pipeRuns: number[];
  /** The whole machine's busy CPU per piped event, mean of the runs (see `machineCpuMs`). */
  readonly pipeMachineCpuMicros: number;
  /** Measures the pipe once more; call it right after the service's throughput phase. */
  pipeAgain(): Promise<void>;
  /** The service's database, connected. */
  db: Client;
  producer: Producer;
  /** Produces in chunks, as a busy department system would. */
  produce(topic: string, messages: readonly Message[], chunk?: number): Promise<void>;
  /**
   * Produces in one Kafka transaction: the service (reading committed messages only) sees none
   * until all are there, then a backlog — as the echo pipe does, whose throughput is measured on
   * a backlog too. Time the service from when this resolves.
   */
  produceBacklog(topic: string, messages: readonly Message[]): Promise<void>;
  /**
   * CPU time the service process has used so far, in milliseconds (Linux; NaN elsewhere): its
   * cost per message is steadier than a throughput on a noisy machine.
   */
  serviceCpuMs(): number;
  /** CPU time of the local Postgres server; NaN when it is not on this machine. */
  databaseCpuMs(): number;
  /** Polls `count` until it reaches `total`; `what` names it in the error after 10 minutes. */
  waitUntil(count: () => Promise<number>, total: number, what: string): Promise<void>;
  /**
   * Drains one backlog: produces `messages` in one transaction, then waits until each of `ids`
   * has arrived. Messages per second from the commit to the last arrival, and the service's and
   * Postgres's CPU per message.
   */
  drain(
    topic: string,
    messages: readonly Message[],
    arrivals: Arrivals,
    ids: readonly string[],
  ): Promise<Round>;
  /**
   * Measures the service as the pipe is: a round cold (just started), the pipe again, a round
   * warm. `round` drains one backlog for its label (`<run>-cold`, `<run>-warm`: ids and
   * customers of its own); `unit` names what it counts in the log.
   */
  coldAndWarm(unit: string, round: (label: string) => Promise<Round>): Promise<ColdAndWarm>;
  close(): Promise<void>;
}

/**
 * Where a result's time went, on the benchmark's clock (`performance.now()`; the service's
 * millisecond clock is the same machine's): `made` is its event's `time` (the coordinator's is
 * when it took up the batch), `published` its Kafka timestamp (when the service's producer built
 * the request that carried it).
 */
export interface Stages {
  made: number;
  published: number;
}

/** What one drained backlog measured. */
export interface Round {
  perSecond: number;
  /** The service's CPU per message, in µs. */
  cpuMicros: number;
  /** The local Postgres server's CPU per message, in µs (NaN when it is elsewhere). */
  dbCpuMicros: number;
  /** The whole machine's busy CPU per message, in µs: service, Postgres, broker, benchmark. */
  machineCpuMicros: number;
}

/** A cold and a warm round, their means, and the ratios to the pipe of the same run. */
export interface ColdAndWarm {
  cold: Round;
  warm: Round;
  mean: Round;
  /** The mean against the mean of the pipe's two runs. */
  ratio: number;
  /** The cold round against the first (cold) pipe run alone. */
  coldRatio: number;
}

/**
 * When each message's result — a decision, a "sent" event — first reached a tapped topic, by the
 * id `idOf` reads from the event (undefined: not one counted).
 */
export class Arrivals {
  private readonly at = new Map<string, number>();
  private readonly stages = new Map<string, Stages>();

  constructor(
    private readonly tap: TopicTap,
    private readonly idOf: (event: {
      type: string;
      data: Record<string, unknown>;
    }) => string | undefined,
  ) {}

  /** When the result of `id` was made and published, as its event and message say (see `Stages`). */
  stagesOf(id: string): Stages | undefined {
    this.take();
    return this.stages.get(id);
  }

  /** When `id` arrived (undefined: not yet). */
  get(id: string): number | undefined {
    this.take();
    return this.at.get(id);
  }

  /**
   * Waits until every one of `ids` has arrived; returns when the last did. It looks every 20 ms
   * at what arrived since, and only at that: the benchmark shares the machine with the service it
   * measures, so its waiting must cost next to nothing (going over every id at each look cost
   * the service a noticeable share of a core).
   */
  async last(ids: readonly string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    this.take();
    const waiting = new Set(ids.filter((id) => !this.at.has(id)));
    for (;;) {
      this.take(waiting);
      if (waiting.size === 0) {
        let latest = -Infinity;
        for (const id of ids) latest = Math.max(latest, this.at.get(id)!);
        return latest;
      }
      if (Date.now() > deadline)
        throw new Error(`${waiting.size}/${ids.length} results missing after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Reads what the tap received since; each id that arrives leaves `waiting`. */
  private take(waiting?: Set<string>): void {
    for (const m of this.tap.messages.splice(0)) {
      const event = JSON.parse(m.value!.toString()) as {
        type: string;
        time?: string;
        data: Record<string, unknown>;
      };
      const id = this.idOf(event);
      if (id !== undefined && !this.at.has(id)) {
        this.at.set(id, m.receivedAt);
        this.stages.set(id, {
          made: event.time === undefined ? NaN : Date.parse(event.time) - performance.timeOrigin,
          published: m.timestamp - performance.timeOrigin,
        });
        waiting?.delete(id);
      }
    }
  }
}

export async function startServiceBench(
  service: ServiceName,
  log: (line: string) => boolean,
  options: {
    pipeMessages: number;
    /** Extra node flags for the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
    nodeArgsVar: string;
  },
): Promise<ServiceBench> {
  const infra = await provideInfrastructure(log);
  const pipe = await measurePipe({ messages: options.pipeMessages, seconds: 5, log });
  log(`pipe: ${pipe.throughputPerSecond} events/s`);
  const run = randomUUID().slice(0, 8);
  const database = await createTestDatabase(infra.serverUrl);
  // BENCH_INSTANCES=2 runs the service as two instances of one consumer group (one database),
  // as it is scaled out; its CPU figures are then the instances' sum.
  const instances = Math.max(1, Number(process.env.BENCH_INSTANCES ?? 1));
  const processes: ServiceProcess[] = [];
  for (let i = 0; i < instances; i++) {
    processes.push(
      await startServiceProcess(
        service,
        {
          KAFKA_BROKERS: infra.brokers.join(','),
          DATABASE_URL: database.url,
          OV_CONSUMER_GROUP: `onevoice-${service}-bench-${run}`,
          OV_CONSUMER_START: 'latest',
          LOG_LEVEL: 'warn',
          KAFKAJS_NO_PARTITIONER_WARNING: '1',
        },
        {
          logSuffix: `-bench-${run}${i > 0 ? `-${i + 1}` : ''}`,
          nodeArgs: (process.env[options.nodeArgsVar] ?? '').split(' ').filter(Boolean),
        },
      ),
    );
  }
  if (instances > 1) log(`${instances} instances of ${service} in one consumer group`);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const kafka = new Kafka({
    clientId: `bench-${service}`,
    brokers: infra.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const transactional = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId: `bench-${service}-${run}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await transactional.connect();
  const pipeRuns = [pipe.throughputPerSecond];
  const pipeCpu = [pipe.machineCpuMicrosPerEvent];
  const bench: ServiceBench = {
    run,
    infra,
    get pipePerSecond() {
      return Math.round(pipeRuns.reduce((a, b) => a + b, 0) / pipeRuns.length);
    },
    pipeRuns,
    get pipeMachineCpuMicros() {
      return Math.round(pipeCpu.reduce((a, b) => a + b, 0) / pipeCpu.length);
    },
    async pipeAgain() {
      const again = await measurePipe({ messages: options.pipeMessages, seconds: 0, log });
      log(`pipe again: ${again.throughputPerSecond} events/s`);
      pipeRuns.push(again.throughputPerSecond);
      pipeCpu.push(again.machineCpuMicrosPerEvent);
    },
    db,
    producer,
    serviceCpuMs: () => processes.reduce((sum, p) => sum + processCpuMs(p.child.pid), 0),
    databaseCpuMs,
    async produce(topic, messages, chunk = 1000) {
      for (let i = 0; i < messages.length; i += chunk)
        await producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) });
    },
    async produceBacklog(topic, messages) {
      const tx = await transactional.transaction();
      try {
        for (let i = 0; i < messages.length; i += 1000)
          await tx.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
        await tx.commit();
      } catch (err) {
        await tx.abort().catch(() => undefined);
        throw err;
      }
    },
    async waitUntil(count, total, what) {
      const deadline = Date.now() + 600_000;
      let done = 0;
      while ((done = await count()) < total) {
        if (Date.now() > deadline) throw new Error(`only ${done}/${total} ${what} after 600 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async drain(topic, messages, arrivals, ids) {
      await bench.produceBacklog(topic, messages);
      const cpu = bench.serviceCpuMs();
      const dbCpu = databaseCpuMs();
      const machineCpu = machineCpuMs();
      const started = performance.now();
      const last = await arrivals.last(ids, 600_000);
      return {
        perSecond: messages.length / ((last - started) / 1000),
        cpuMicros: ((bench.serviceCpuMs() - cpu) * 1000) / messages.length,
        dbCpuMicros: ((databaseCpuMs() - dbCpu) * 1000) / messages.length,
        machineCpuMicros: ((machineCpuMs() - machineCpu) * 1000) / messages.length,
      };
    },
    async coldAndWarm(unit, round) {
      const measure = async (label: string) => {
        const result = await round(`${run}-${label}`);
        log(`${label}: ${Math.round(result.perSecond)} ${unit}/s`);
        return result;
      };
      const cold = await measure('cold');
      await bench.pipeAgain();
      const warm = await measure('warm');
      const mean = {
        perSecond: (cold.perSecond + warm.perSecond) / 2,
        cpuMicros: (cold.cpuMicros + warm.cpuMicros) / 2,
        dbCpuMicros: (cold.dbCpuMicros + warm.dbCpuMicros) / 2,
        machineCpuMicros: (cold.machineCpuMicros + warm.machineCpuMicros) / 2,
      };
      return {
        cold,
        warm,
        mean,
        ratio: Number((mean.perSecond / bench.pipePerSecond).toFixed(3)),
        coldRatio: Number((cold.perSecond / pipeRuns[0]!).toFixed(3)),
      };
    },
    async close() {
      await producer.disconnect();
      await transactional.disconnect();
      await db.end();
      for (const p of processes) await p.stop();
      // BENCH_KEEP_DATABASE=1 keeps the service's database, to look into afterwards.
      if (process.env.BENCH_KEEP_DATABASE === '1') log(`kept the database: ${database.url}`);
      else await database.drop();
      await infra.stop();
      log(
        'the messages stay on the broker; before `npm start` here, `npm run kafka:reset` spares the services replaying them',
      );
    },
  };
  return bench;
}

/** A cold-and-warm measurement's lines in a report: throughput, the pipe, the ratio, CPU. */
export function roundLines(
  bench: ServiceBench,
  r: ColdAndWarm,
  o: { service: string; unit: string; per: string; target: number },
): string[] {
  return [
    `throughput        ${Math.round(r.mean.perSecond)} ${o.unit}/s (mean of ${Math.round(r.cold.perSecond)} cold and ${Math.round(r.warm.perSecond)} warm)`,
    `echo pipe         ${bench.pipePerSecond} events/s (same run: mean of ${bench.pipeRuns.join(' before and ')} after)`,
    `ratio             ${r.ratio} (target ${o.target}; cold service / first pipe: ${r.coldRatio})`,
    `${`${o.service} CPU`.padEnd(18)}${Math.round(r.mean.cpuMicros)} µs per ${o.per} (its processes, user + system)`,
    `Postgres CPU      ${Math.round(r.mean.dbCpuMicros)} µs per ${o.per} (local server processes; NaN when remote)`,
    `machine CPU       ${Math.round(r.mean.machineCpuMicros)} µs per ${o.per}, against ${bench.pipeMachineCpuMicros} per piped event (all processes: service, Postgres, broker, benchmark)`,
  ];
}

/** Prints a benchmark's figures for people, then one line for scripts: `<TAG> {json}`. */
export function report(
  title: string,
  lines: readonly string[],
  tag: string,
  figures: object,
): void {
  process.stdout.write(
    ['', title, ...lines.map((l) => `  ${l}`), `${tag} ${JSON.stringify(figures)}`, ''].join('\n'),
  );
}

/** Runs a benchmark's `main`, exiting 0 or 1 with the reason. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${name} failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
