/**
 * `npm run bench:schedule` — why the dispatcher's schedule is its deliveries table and not a job
 * queue library. Issue 5 asks for pg-boss or graphile-worker unless a measurement says otherwise;
 * this is that measurement, on the real database, with the dispatcher's own repository and
 * migrations.
 *
 * The dispatcher must record each delivery before any provider call whatever schedules it (the
 * row is its exactly-once record and its state). So the two ways compared are:
 *
 *  - table: the delivery row is the schedule. Record (one INSERT per 100), claim due rows
 *    (`UPDATE … FOR UPDATE SKIP LOCKED … RETURNING`), mark them sent (one UPDATE per 100).
 *  - pg-boss (10.x, the newest major that runs on Node 20): the same delivery rows, plus one
 *    job per delivery inserted in the same transaction (pg-boss `insert` with the transaction as
 *    its `db`); workers `fetch` due jobs (pg-boss's claim), read their deliveries, mark them sent,
 *    and `complete` the jobs.
 *
 * Both drain BENCH_SCHEDULE_DELIVERIES (20,000) deliveries, all due, with three workers taking 100
 * at a time, as the dispatcher does; no provider is called (that costs the same either way).
 * Prints deliveries per second for each and their ratio, measured in the same run.
 */
import { createTestDatabase, provideInfrastructure } from '@onevoice/testing';
import { openServiceDatabase } from '@onevoice/persistence';
import PgBoss from 'pg-boss';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  DeliveriesRepository,
  type NewDelivery,
} from '../../apps/dispatcher/src/deliveries/deliveries.repository';
import { DISPATCHER_MIGRATIONS } from '../../apps/dispatcher/src/migrations';
import { report, runBench } from './service-bench';

const log = (line: string) => process.stderr.write(`[bench:schedule] ${line}\n`);
const total = Number(process.env.BENCH_SCHEDULE_DELIVERIES ?? 20_000);
const BATCH = 100;
const WORKERS = 3;
const QUEUE = 'deliveries';

function deliveries(run: string, now: Date): NewDelivery[] {
  return Array.from({ length: total }, (_, i) => ({
    deliveryId: `${run}-${i}`,
    decisionId: `${run}-decision-${i}`,
    requestId: `${run}-request-${i}`,
    intentType: 'billing.payment_due',
    intentKey: `bill:${run}-${i % 2000}`,
    customerId: `bench-${run}-${i % 2000}`,
    channel: 'email',
    provider: 'capture',
    subject: 'Your bill of 10.00 EUR is due on 2026-12-01',
    body: 'Your bill of 10.00 EUR is due on 2026-12-01. Pay here: https://pay.example.test/bench\n\nChoose how we contact you: https://prefs.example.test/p?t=token',
    sendAfter: now,
    priority: 1,
  }));
}

const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) =>
    list.slice(i * size, i * size + size),
  );

async function byTable(ds: DataSource, repo: DeliveriesRepository, run: string) {
  const started = performance.now();
  for (const chunk of chunks(deliveries(run, new Date()), BATCH))
    await repo.recordMany(ds.manager, chunk);
  const recorded = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      for (;;) {
        const rows = await ds.transaction((tx) => repo.claimDue(tx, new Date(), BATCH));
        if (rows.length === 0) return;
        await repo.markSentMany(
          ds.manager,
          rows.map((r) => ({ deliveryId: r.delivery_id, providerMessageId: `p-${r.delivery_id}` })),
          [],
          new Date(),
        );
        sent += rows.length;
      }
    }),
  );
  return { sent, recordMs: recorded - started, totalMs: performance.now() - started };
}

async function byPgBoss(ds: DataSource, repo: DeliveriesRepository, boss: PgBoss, run: string) {
  const started = performance.now();
  for (const chunk of chunks(deliveries(run, new Date()), BATCH))
    await ds.transaction(async (tx: EntityManager) => {
      await repo.recordMany(tx, chunk);
      // The job in the same transaction as its delivery: neither exists without the other.
      await boss.insert(
        chunk.map((d) => ({
          name: QUEUE,
          data: { deliveryId: d.deliveryId },
          startAfter: d.sendAfter,
        })),
        {
          db: {
            executeSql: async (text, values) => ({
              rows: (await tx.query(text, values)) as unknown[],
            }),
          },
        },
      );
    });
  const recorded = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      for (;;) {
        const jobs = await boss.fetch<{ deliveryId: string }>(QUEUE, { batchSize: BATCH });
        if (jobs.length === 0) return;
        const ids = jobs.map((j) => j.data.deliveryId);
        // What a sender needs of each delivery (the job only names it).
        const rows = (await ds.query(
          `UPDATE deliveries SET state = 'sending', attempts = attempts + 1, claimed_at = now()
            WHERE delivery_id = ANY($1::text[]) RETURNING *`,
          [ids],
        )) as [{ delivery_id: string }[], number];
        await repo.markSentMany(
          ds.manager,
          rows[0].map((r) => ({
            deliveryId: r.delivery_id,
            providerMessageId: `p-${r.delivery_id}`,
          })),
          [],
          new Date(),
        );
        await boss.complete(
          QUEUE,
          jobs.map((j) => j.id),
        );
        sent += jobs.length;
      }
    }),
  );
  return { sent, recordMs: recorded - started, totalMs: performance.now() - started };
}

async function main(): Promise<void> {
  const infra = await provideInfrastructure(log);
  const database = await createTestDatabase(infra.serverUrl);
  const ds = await openServiceDatabase({
    url: database.url,
    schema: 'dispatcher',
    migrations: DISPATCHER_MIGRATIONS,
  });
  const boss = new PgBoss({ connectionString: database.url, schema: 'pgboss', max: 10 });
  boss.on('error', (err) => log(`pg-boss: ${String(err)}`));
  try {
    await boss.start();
    await boss.createQueue(QUEUE);
    const repo = new DeliveriesRepository();
    const perSecond = (r: { sent: number; totalMs: number }) =>
      Math.round(r.sent / (r.totalMs / 1000));
    // Each way twice, alternating, so neither gets only the warm (or cold) database.
    const results = { table: [] as number[], pgBoss: [] as number[] };
    for (let round = 0; round < 2; round++) {
      const run = randomUUID().slice(0, 8);
      log(`round ${round + 1}: deliveries table, ${total} deliveries`);
      const t = await byTable(ds, repo, `t${run}`);
      if (t.sent !== total) throw new Error(`table: ${t.sent} of ${total} sent`);
      results.table.push(perSecond(t));
      log(`round ${round + 1}: pg-boss, ${total} deliveries`);
      const b = await byPgBoss(ds, repo, boss, `b${run}`);
      if (b.sent !== total) throw new Error(`pg-boss: ${b.sent} of ${total} sent`);
      results.pgBoss.push(perSecond(b));
      await ds.query('DELETE FROM deliveries');
    }
    const best = (xs: number[]) => Math.max(...xs);
    const figures = {
      tablePerSecond: best(results.table),
      pgBossPerSecond: best(results.pgBoss),
      ratio: Number((best(results.pgBoss) / best(results.table)).toFixed(3)),
      rounds: results,
    };
    report(
      'scheduled sends: the deliveries table as the schedule vs pg-boss jobs beside it',
      [
        `deliveries table  ${figures.tablePerSecond} deliveries/s (record, claim, mark sent)`,
        `pg-boss 10        ${figures.pgBossPerSecond} deliveries/s (record + job, fetch, read, mark sent, complete)`,
        `pg-boss / table   ${figures.ratio}`,
      ],
      'BENCH_SCHEDULE',
      figures,
    );
  } finally {
    await boss.stop({ graceful: false }).catch(() => undefined);
    await ds.destroy();
    await database.drop();
    await infra.stop();
  }
}

runBench('bench:schedule', main);
