/**
 * `npm run bench:coordinator` — the coordinator end to end on the real broker and database:
 * contact requests on ov.contact-requests.v1 → decisions on ov.decisions.v1. Reports requests
 * per second, that figure as a ratio to the one-hop echo pipe (`bench:pipe`) measured in the
 * same run — both draining a backlog (produced in one Kafka transaction; the clock starts when it
 * commits and stops at the last decision), both measured cold and warm and compared as means —
 * and the p99 request → decision latency at 70% of that rate, split into where it went (waiting
 * for the coordinator to take up the request's batch; deciding, writing and handing the decision
 * to the producer; on to the reader) — with the echo pipe's at the same rate beside it (what the
 * transport alone reaches on this machine).
 * Targets (issue 3): ratio ≥ 0.6; p99 < 50 ms at 70%. Run it with no other coordinator running.
 */
import { Topics } from '@onevoice/contracts';
import { TopicTap } from '@onevoice/testing';
import { measurePipe, percentile } from './pipe';
import { Arrivals, report, roundLines, runBench, startServiceBench } from './service-bench';

const log = (line: string) => process.stderr.write(`[bench:coordinator] ${line}\n`);
// The same backlog as the pipe drains (a smaller one weighs its first fetch and its last batch
// more), five requests per customer.
const messages = Number(process.env.BENCH_MESSAGES ?? 10_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const load = Number(process.env.BENCH_LOAD ?? 0.7);
const customers = Math.max(1, Math.round(messages / 5));

/** Contact request `seq` of a round (`label`), for one of the round's customers. */
function request(label: string, seq: number) {
  const subject = `bench-${label}-${seq % customers}`;
  return {
    key: subject,
    value: JSON.stringify({
      specversion: '1.0',
      id: `${label}-${seq}`,
      source: 'billing',
      type: seq % 3 === 0 ? 'network.outage' : 'billing.payment_due',
      subject,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {
        intentKey: `bench:${label}:${seq}`,
        variables: { amount: '10.00 EUR', dueDate: '2026-12-01' },
        action: { url: 'https://pay.example.test/bench' },
      },
    }),
  };
}

async function main(): Promise<void> {
  const bench = await startServiceBench('coordinator', log, {
    pipeMessages: messages,
    nodeArgsVar: 'BENCH_COORDINATOR_NODE_ARGS',
  });
  const { run, producer } = bench;
  const tap = await TopicTap.open(bench.infra.brokers, [Topics.decisions]);
  // A request's first decision, by the request's id.
  const decided = new Arrivals(tap, (e) => e.data.requestId as string);
  const sentAt = new Map<string, number>();
  const ids = (label: string, from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `${label}-${from + i}`);

  try {
    const rounds = await bench.coldAndWarm('requests', (label) => {
      log(`${label}: ${messages} contact requests for ${customers} customers`);
      return bench.drain(
        Topics.contactRequests,
        Array.from({ length: messages }, (_, seq) => request(label, seq)),
        decided,
        ids(label, 0, messages),
      );
    });
    const { cold, warm, mean } = rounds;

    // Latency at a share of that rate, for the warm round's customers (a few requests each).
    const label = `${run}-warm`;
    const rate = Math.max(5, Math.floor(mean.perSecond * load));
    log(`latency: ${rate} requests/s (${Math.round(load * 100)}%) for ${seconds} s`);
    const from = messages;
    let next = from;
    let owed = 0;
    const loadStart = performance.now();
    const loadCpu = bench.serviceCpuMs();
    const loadDbCpu = bench.databaseCpuMs();
    while (performance.now() - loadStart < seconds * 1000) {
      owed += rate / 50;
      const n = Math.floor(owed);
      owed -= n;
      const tick = performance.now();
      if (n > 0) {
        const batch = Array.from({ length: n }, (_, i) => request(label, next + i));
        for (const id of ids(label, next, n)) sentAt.set(id, performance.now());
        await producer.send({ topic: Topics.contactRequests, acks: -1, messages: batch });
      }
      next += n;
      const rest = 20 - (performance.now() - tick);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    }
    const measured = ids(label, from, next - from);
    await decided.last(measured, 120_000);
    const loadCpuMicros = ((bench.serviceCpuMs() - loadCpu) * 1000) / Math.max(1, measured.length);
    const loadDbCpuMicros =
      ((bench.databaseCpuMs() - loadDbCpu) * 1000) / Math.max(1, measured.length);
    const latencies = measured
      .map((id) => decided.get(id)! - sentAt.get(id)!)
      .sort((a, b) => a - b);
    // Where each request's time went: until the coordinator took up its batch (the decision's
    // time), until the decision was handed to the producer (its Kafka timestamp), until it was read.
    const stages = { takenUp: [] as number[], decided: [] as number[], read: [] as number[] };
    for (const id of measured) {
      const s = decided.stagesOf(id)!;
      stages.takenUp.push(s.made - sentAt.get(id)!);
      stages.decided.push(s.published - s.made);
      stages.read.push(decided.get(id)! - s.published);
    }
    const spread = (values: number[]) => {
      values.sort((a, b) => a - b);
      return {
        p50Ms: Math.round(percentile(values, 50)),
        p99Ms: Math.round(percentile(values, 99)),
      };
    };
    const split = {
      toTakenUp: spread(stages.takenUp),
      deciding: spread(stages.decided),
      toReader: spread(stages.read),
    };
    // The transport alone (the echo pipe, in this process) at the same rate, for comparison.
    const pipeAtRate = await measurePipe({ messages: 2_000, seconds, rate, log });
    const p = (q: number) => percentile(latencies, q * 100).toFixed(1);
    const figures = {
      coordinatorPerSecond: Math.round(mean.perSecond),
      coordinatorRuns: [Math.round(cold.perSecond), Math.round(warm.perSecond)],
      coordinatorCpuMicrosPerRequest: Math.round(mean.cpuMicros),
      databaseCpuMicrosPerRequest: Math.round(mean.dbCpuMicros),
      machineCpuMicrosPerRequest: Math.round(mean.machineCpuMicros),
      pipeMachineCpuMicrosPerEvent: bench.pipeMachineCpuMicros,
      pipePerSecond: bench.pipePerSecond,
      pipeRuns: bench.pipeRuns,
      ratio: rounds.ratio,
      coldRatio: rounds.coldRatio,
      latency: {
        ratePerSecond: rate,
        p50Ms: Number(p(0.5)),
        p99Ms: Number(p(0.99)),
        cpuMicrosPerRequest: Math.round(loadCpuMicros),
        databaseCpuMicrosPerRequest: Math.round(loadDbCpuMicros),
        // A request waits for the batches ahead of it: the busier the service, the longer.
        busyPercent: Math.round((loadCpuMicros * rate) / 10_000),
        stages: split,
        pipeP50Ms: pipeAtRate.latency.p50Ms,
        pipeP99Ms: pipeAtRate.latency.p99Ms,
      },
    };
    report(
      'coordinator end to end (contact request → decision, real Kafka and Postgres)',
      [
        ...roundLines(bench, rounds, {
          service: 'coordinator',
          unit: 'requests',
          per: 'request',
          target: 0.6,
        }),
        `latency at ${rate}/s  p50 ${figures.latency.p50Ms} ms, p99 ${figures.latency.p99Ms} ms (target p99 < 50 ms); CPU ${figures.latency.cpuMicrosPerRequest} µs per request meanwhile (the service: ${figures.latency.busyPercent}% of one core), Postgres ${figures.latency.databaseCpuMicrosPerRequest} µs`,
        `  where it went   p50/p99: sent → batch taken up ${split.toTakenUp.p50Ms}/${split.toTakenUp.p99Ms} ms, → decided, written and handed to the producer ${split.deciding.p50Ms}/${split.deciding.p99Ms} ms, → read here ${split.toReader.p50Ms}/${split.toReader.p99Ms} ms`,
        `echo pipe at ${rate}/s  p50 ${figures.latency.pipeP50Ms} ms, p99 ${figures.latency.pipeP99Ms} ms (the transport alone, no database, same machine)`,
      ],
      'BENCH_COORDINATOR',
      figures,
    );
  } finally {
    await tap.close();
    await bench.close();
  }
}

runBench('bench:coordinator', main);
