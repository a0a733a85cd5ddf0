/**
 * `npm run bench:dispatcher` — the dispatcher on the real broker and database, delivering to a
 * null provider (the capture adapter): approved decisions on ov.decisions.v1 → deliveries
 * recorded, claimed, sent and their events published. Reports deliveries per second, and that
 * figure as a ratio to the one-hop echo pipe (`bench:pipe`) measured in the same run — both
 * draining a backlog: the decisions are produced in one Kafka transaction, and the clock starts
 * when it commits.
 * Target (issue 5): ratio ≥ 0.5. Run it with no other dispatcher running.
 */
import { Topics } from '@onevoice/contracts';
import { approvedDecision } from '@onevoice/testing';
import { report, runBench, startServiceBench } from './service-bench';

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
  const bench = await startServiceBench('dispatcher', log, {
    pipeMessages: 10_000,
    nodeArgsVar: 'BENCH_DISPATCHER_NODE_ARGS',
  });
  const { run, db } = bench;
  const sent = async () =>
    Number(
      (await db.query(`SELECT count(*) AS n FROM dispatcher.deliveries WHERE state = 'sent'`))
        .rows[0].n,
    );
  try {
    log(`throughput: ${messages} approved decisions for ${customers} customers`);
    await bench.produceBacklog(
      Topics.decisions,
      Array.from({ length: messages }, (_, seq) => decision(run, seq)),
    );
    const cpuBefore = bench.serviceCpuMs();
    const started = performance.now();
    await bench.waitUntil(sent, messages, 'sent');
    const perSecond = messages / ((performance.now() - started) / 1000);
    const cpuPerDelivery = ((bench.serviceCpuMs() - cpuBefore) * 1000) / messages;
    await bench.pipeAgain();
    const figures = {
      dispatcherPerSecond: Math.round(perSecond),
      dispatcherCpuMicrosPerDelivery: Math.round(cpuPerDelivery),
      pipePerSecond: bench.pipePerSecond,
      pipeRuns: bench.pipeRuns,
      ratio: Number((perSecond / bench.pipePerSecond).toFixed(3)),
    };
    report(
      'dispatcher (approved decision → delivery recorded, sent to a null provider, events published)',
      [
        `throughput        ${figures.dispatcherPerSecond} deliveries/s`,
        `echo pipe         ${figures.pipePerSecond} events/s (same run: mean of ${bench.pipeRuns.join(' before and ')} after)`,
        `ratio             ${figures.ratio} (target 0.5)`,
        `dispatcher CPU    ${figures.dispatcherCpuMicrosPerDelivery} µs per delivery (its process, user + system)`,
      ],
      'BENCH_DISPATCHER',
      figures,
    );
  } finally {
    await bench.close();
  }
}

runBench('bench:dispatcher', main);
