/**
 * `npm run bench:coordinator` — the coordinator end to end on the real broker and database:
 * contact requests on ov.contact-requests.v1 → decisions on ov.decisions.v1. Reports requests
 * per second, that figure as a ratio to the one-hop echo pipe (`bench:pipe`) measured in the
 * same run — both draining a backlog (produced in one Kafka transaction; the clock starts when it
 * commits and stops at the last decision), both measured cold and warm and compared as means —
 * and the p99 request → decision latency at 70% of that rate.
 * Targets (issue 3): ratio ≥ 0.6; p99 < 50 ms at 70%. Run it with no other coordinator running.
 */
import { Topics } from '@onevoice/contracts';
import { TopicTap } from '@onevoice/testing';
import { report, runBench, startServiceBench } from './service-bench';

const log = (line: string) => process.stderr.write(`[bench:coordinator] ${line}\n`);
const messages = Number(process.env.BENCH_MESSAGES ?? 5_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const load = Number(process.env.BENCH_LOAD ?? 0.7);
const customers = 1_000;

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
    pipeMessages: 10_000,
    nodeArgsVar: 'BENCH_COORDINATOR_NODE_ARGS',
  });
  const { run, producer } = bench;
  const tap = await TopicTap.open(bench.infra.brokers, [Topics.decisions]);
  const sentAt = new Map<string, number>();
  const firstDecision = new Map<string, number>();
  const seen = () => {
    for (const m of tap.messages.splice(0)) {
      const id = (JSON.parse(m.value!.toString()) as { data: { requestId: string } }).data
        .requestId;
      if (!firstDecision.has(id)) firstDecision.set(id, m.receivedAt);
    }
  };
  const ids = (label: string, from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `${label}-${from + i}`);
  const until = async (wanted: readonly string[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      seen();
      const missing = wanted.filter((id) => !firstDecision.has(id)).length;
      if (missing === 0) return Math.max(...wanted.map((id) => firstDecision.get(id)!));
      if (Date.now() > deadline)
        throw new Error(`${missing}/${wanted.length} requests undecided after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  /** One backlog of requests for a round's own customers, drained: requests per second, CPU each. */
  const round = async (label: string) => {
    log(`${label}: ${messages} contact requests for ${customers} customers`);
    await bench.produceBacklog(
      Topics.contactRequests,
      Array.from({ length: messages }, (_, seq) => request(label, seq)),
    );
    const cpu = bench.serviceCpuMs();
    const dbCpu = bench.databaseCpuMs();
    const started = performance.now();
    // Done when the last decision arrived.
    const last = await until(ids(label, 0, messages), 600_000);
    const perSecond = messages / ((last - started) / 1000);
    log(`${label}: ${perSecond.toFixed(0)} requests/s`);
    return {
      perSecond,
      cpuMicros: ((bench.serviceCpuMs() - cpu) * 1000) / messages,
      dbCpuMicros: ((bench.databaseCpuMs() - dbCpu) * 1000) / messages,
    };
  };

  try {
    // Measured twice, as the pipe is: once cold (just started), once warm, after the second pipe.
    const cold = await round(`${run}-cold`);
    await bench.pipeAgain();
    const warm = await round(`${run}-warm`);
    const throughput = (cold.perSecond + warm.perSecond) / 2;

    // Latency at a share of that rate, for the warm round's customers (a few requests each).
    const label = `${run}-warm`;
    const rate = Math.max(5, Math.floor(throughput * load));
    log(`latency: ${rate} requests/s (${Math.round(load * 100)}%) for ${seconds} s`);
    const from = messages;
    let next = from;
    let owed = 0;
    const loadStart = performance.now();
    const loadCpu = bench.serviceCpuMs();
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
    await until(measured, 120_000);
    const loadCpuMicros = ((bench.serviceCpuMs() - loadCpu) * 1000) / Math.max(1, measured.length);
    const latencies = measured
      .map((id) => firstDecision.get(id)! - sentAt.get(id)!)
      .sort((a, b) => a - b);
    const p = (q: number) =>
      latencies.length === 0
        ? 'NaN'
        : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    const figures = {
      coordinatorPerSecond: Math.round(throughput),
      coordinatorRuns: [Math.round(cold.perSecond), Math.round(warm.perSecond)],
      coordinatorCpuMicrosPerRequest: Math.round((cold.cpuMicros + warm.cpuMicros) / 2),
      databaseCpuMicrosPerRequest: Math.round((cold.dbCpuMicros + warm.dbCpuMicros) / 2),
      pipePerSecond: bench.pipePerSecond,
      pipeRuns: bench.pipeRuns,
      ratio: Number((throughput / bench.pipePerSecond).toFixed(3)),
      coldRatio: Number((cold.perSecond / bench.pipeRuns[0]!).toFixed(3)),
      latency: {
        ratePerSecond: rate,
        p50Ms: Number(p(0.5)),
        p99Ms: Number(p(0.99)),
        cpuMicrosPerRequest: Math.round(loadCpuMicros),
      },
    };
    report(
      'coordinator end to end (contact request → decision, real Kafka and Postgres)',
      [
        `throughput        ${figures.coordinatorPerSecond} requests/s (mean of ${figures.coordinatorRuns.join(' cold and ')} warm)`,
        `echo pipe         ${figures.pipePerSecond} events/s (same run: mean of ${bench.pipeRuns.join(' before and ')} after)`,
        `ratio             ${figures.ratio} (target 0.6; cold service / first pipe: ${figures.coldRatio})`,
        `coordinator CPU   ${figures.coordinatorCpuMicrosPerRequest} µs per request (its process, user + system)`,
        `Postgres CPU      ${figures.databaseCpuMicrosPerRequest} µs per request (local server processes; NaN when remote)`,
        `latency at ${rate}/s  p50 ${figures.latency.p50Ms} ms, p99 ${figures.latency.p99Ms} ms (target p99 < 50 ms); CPU ${figures.latency.cpuMicrosPerRequest} µs per request meanwhile`,
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
