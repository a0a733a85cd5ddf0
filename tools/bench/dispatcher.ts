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
import { Arrivals, report, roundLines, runBench, startServiceBench } from './service-bench';

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
  const tap = await TopicTap.open(bench.infra.brokers, [Topics.deliveries]);
  // Done when a delivery's "sent" event is on the topic: recorded, sent and announced.
  const sent = new Arrivals(tap, (e) =>
    e.type === deliveryEventType('sent') ? (e.data.decisionId as string) : undefined,
  );
  try {
    const rounds = await bench.coldAndWarm('deliveries', (label) => {
      log(`${label}: ${messages} approved decisions for ${customers} customers`);
      return bench.drain(
        Topics.decisions,
        Array.from({ length: messages }, (_, seq) => decision(label, seq)),
        sent,
        Array.from({ length: messages }, (_, seq) => `${label}-${seq}`),
      );
    });
    const { cold, warm, mean } = rounds;
    const figures = {
      dispatcherPerSecond: Math.round(mean.perSecond),
      dispatcherRuns: [Math.round(cold.perSecond), Math.round(warm.perSecond)],
      dispatcherCpuMicrosPerDelivery: Math.round(mean.cpuMicros),
      databaseCpuMicrosPerDelivery: Math.round(mean.dbCpuMicros),
      machineCpuMicrosPerDelivery: Math.round(mean.machineCpuMicros),
      pipeMachineCpuMicrosPerEvent: bench.pipeMachineCpuMicros,
      pipePerSecond: bench.pipePerSecond,
      pipeRuns: bench.pipeRuns,
      ratio: rounds.ratio,
      coldRatio: rounds.coldRatio,
    };
    report(
      'dispatcher (approved decision → delivery recorded, sent to a null provider, "sent" published)',
      roundLines(bench, rounds, {
        service: 'dispatcher',
        unit: 'deliveries',
        per: 'delivery',
        target: 0.5,
      }),
      'BENCH_DISPATCHER',
      figures,
    );
  } finally {
    await tap.close();
    await bench.close();
  }
}

runBench('bench:dispatcher', main);
