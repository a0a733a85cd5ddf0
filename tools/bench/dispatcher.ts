/**
 * `npm run bench:dispatcher` — the dispatcher on the real broker and database, delivering to a
 * null provider (the capture adapter): approved decisions on ov.decisions.v1 → deliveries
 * recorded, claimed, sent and their events published. Reports deliveries per second, and that
 * figure as a ratio to the one-hop echo pipe (`bench:pipe`) measured in the same run — both
 * draining a backlog: the decisions are produced in one Kafka transaction, the clock starts when
 * it commits and stops when the last "sent" event arrives. Like the pipe, the service is measured
 * twice — cold, just started, and warm, after the second pipe run — and the means are compared.
 * Target (issue 5): ratio ≥ 0.5. Run it with no other dispatcher running.
 */
import { deliveryEventType, Topics } from '@onevoice/contracts';
import { approvedDecision, TopicTap } from '@onevoice/testing';
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
  const { run } = bench;
  const tap = await TopicTap.open(bench.infra.brokers, [Topics.deliveries]);
  /** When each decision's "sent" event arrived, by decision id. */
  const sentAt = new Map<string, number>();
  const takeSent = () => {
    for (const m of tap.messages.splice(0)) {
      const e = JSON.parse(m.value!.toString()) as { type: string; data: { decisionId: string } };
      if (e.type === deliveryEventType('sent') && !sentAt.has(e.data.decisionId))
        sentAt.set(e.data.decisionId, m.receivedAt);
    }
  };
  /** One backlog of decisions, drained: deliveries per second and the service's CPU each. */
  const round = async (label: string) => {
    const prefix = `${run}-${label}-`;
    log(`${label}: ${messages} approved decisions for ${customers} customers`);
    await bench.produceBacklog(
      Topics.decisions,
      Array.from({ length: messages }, (_, seq) => decision(`${run}-${label}`, seq)),
    );
    const cpu = bench.serviceCpuMs();
    const dbCpu = bench.databaseCpuMs();
    const started = performance.now();
    // Done when the last delivery's "sent" event is on the topic: recorded, sent and announced.
    const ids = Array.from({ length: messages }, (_, seq) => `${prefix}${seq}`);
    const deadline = Date.now() + 600_000;
    for (;;) {
      takeSent();
      const missing = ids.filter((id) => !sentAt.has(id)).length;
      if (missing === 0) break;
      if (Date.now() > deadline) throw new Error(`${missing}/${messages} not sent after 600 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const lastSeen = Math.max(...ids.map((id) => sentAt.get(id)!));
    const perSecond = messages / ((lastSeen - started) / 1000);
    log(`${label}: ${Math.round(perSecond)} deliveries/s`);
    return {
      perSecond,
      cpuMicros: ((bench.serviceCpuMs() - cpu) * 1000) / messages,
      dbCpuMicros: ((bench.databaseCpuMs() - dbCpu) * 1000) / messages,
    };
  };
  try {
    // Measured twice, as the pipe is: once cold (just started), once warm, after the second pipe.
    const cold = await round('cold');
    await bench.pipeAgain();
    const warm = await round('warm');
    const perSecond = (cold.perSecond + warm.perSecond) / 2;
    const figures = {
      dispatcherPerSecond: Math.round(perSecond),
      dispatcherRuns: [Math.round(cold.perSecond), Math.round(warm.perSecond)],
      dispatcherCpuMicrosPerDelivery: Math.round((cold.cpuMicros + warm.cpuMicros) / 2),
      databaseCpuMicrosPerDelivery: Math.round((cold.dbCpuMicros + warm.dbCpuMicros) / 2),
      pipePerSecond: bench.pipePerSecond,
      pipeRuns: bench.pipeRuns,
      ratio: Number((perSecond / bench.pipePerSecond).toFixed(3)),
      coldRatio: Number((cold.perSecond / bench.pipeRuns[0]!).toFixed(3)),
    };
    report(
      'dispatcher (approved decision → delivery recorded, sent to a null provider, "sent" published)',
      [
        `throughput        ${figures.dispatcherPerSecond} deliveries/s (mean of ${figures.dispatcherRuns.join(' cold and ')} warm)`,
        `echo pipe         ${figures.pipePerSecond} events/s (same run: mean of ${bench.pipeRuns.join(' before and ')} after)`,
        `ratio             ${figures.ratio} (target 0.5; cold service / first pipe: ${figures.coldRatio})`,
        `dispatcher CPU    ${figures.dispatcherCpuMicrosPerDelivery} µs per delivery (its process, user + system)`,
        `Postgres CPU      ${figures.databaseCpuMicrosPerDelivery} µs per delivery (local server processes; NaN when remote)`,
      ],
      'BENCH_DISPATCHER',
      figures,
    );
  } finally {
    await tap.close();
    await bench.close();
  }
}

runBench('bench:dispatcher', main);
