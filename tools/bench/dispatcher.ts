/**
 * `npm run bench:dispatcher` — the dispatcher on the real broker and database, delivering to a
 * null provider (the capture adapter): approved decisions on ov.decisions.v1 → deliveries
 * recorded, claimed, sent and their events published. Reports deliveries per second, and that
 * figure as a ratio to the one-hop echo pipe (`bench:pipe`) measured in the same run.
 * Target (issue 5): ratio ≥ 0.5. Run it with no other dispatcher running.
 */
import { Topics } from '@onevoice/contracts';
import {
  approvedDecision,
  createTestDatabase,
  provideInfrastructure,
  startServiceProcess,
} from '@onevoice/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { measurePipe } from './pipe';

const log = (line: string) => process.stderr.write(`[bench:dispatcher] ${line}\n`);
const messages = Number(process.env.BENCH_MESSAGES ?? 10_000);
const customers = 2_000;

function decision(run: string, seq: number) {
  const subject = `bench-${run}-${seq % customers}`;
  return {
    key: subject,
    value: JSON.stringify(
      approvedDecision(subject, {
        decisionId: `${run}-${seq}`,
        channel: 'email',
        intentType: 'billing.payment_due',
        category: 'billing',
        urgency: 'high',
        variables: { amount: '10.00 EUR', dueDate: '2026-12-01' },
        action: { url: 'https://pay.example.test/bench' },
      }),
    ),
  };
}

async function main(): Promise<void> {
  const infra = await provideInfrastructure(log);
  const pipe = await measurePipe({ messages: 10_000, seconds: 5, log });
  log(`pipe: ${pipe.throughputPerSecond} events/s`);
  const run = randomUUID().slice(0, 8);
  const db = await createTestDatabase(infra.serverUrl);
  const dispatcher = await startServiceProcess(
    'dispatcher',
    {
      KAFKA_BROKERS: infra.brokers.join(','),
      DATABASE_URL: db.url,
      OV_CONSUMER_GROUP: `onevoice-dispatcher-bench-${run}`,
      OV_CONSUMER_START: 'latest',
      LOG_LEVEL: 'warn',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    },
    {
      logSuffix: `-bench-${run}`,
      nodeArgs: (process.env.BENCH_DISPATCHER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    },
  );
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const kafka = new Kafka({
    clientId: 'bench-dispatcher',
    brokers: infra.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const sent = async () =>
    Number(
      (await pg.query(`SELECT count(*) AS n FROM dispatcher.deliveries WHERE state = 'sent'`))
        .rows[0].n,
    );
  try {
    log(`throughput: ${messages} approved decisions for ${customers} customers`);
    const started = performance.now();
    for (let seq = 0; seq < messages; seq += 1000) {
      const batch = Array.from({ length: Math.min(1000, messages - seq) }, (_, i) =>
        decision(run, seq + i),
      );
      await producer.send({ topic: Topics.decisions, acks: -1, messages: batch });
    }
    const deadline = Date.now() + 600_000;
    let done = 0;
    while ((done = await sent()) < messages) {
      if (Date.now() > deadline) throw new Error(`only ${done}/${messages} sent after 600 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const perSecond = messages / ((performance.now() - started) / 1000);
    const figures = {
      dispatcherPerSecond: Math.round(perSecond),
      pipePerSecond: pipe.throughputPerSecond,
      ratio: Number((perSecond / pipe.throughputPerSecond).toFixed(3)),
    };
    process.stdout.write(
      [
        '',
        'dispatcher (approved decision → delivery recorded, sent to a null provider, events published)',
        `  throughput        ${figures.dispatcherPerSecond} deliveries/s`,
        `  echo pipe         ${figures.pipePerSecond} events/s (same run)`,
        `  ratio             ${figures.ratio} (target 0.5)`,
        `BENCH_DISPATCHER ${JSON.stringify(figures)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await producer.disconnect();
    await pg.end();
    await dispatcher.stop();
    await db.drop();
    await infra.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:dispatcher failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
