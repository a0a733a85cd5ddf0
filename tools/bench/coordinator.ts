/**
 * `npm run bench:coordinator` — the coordinator end to end on the real broker and database:
 * contact requests on ov.contact-requests.v1 → decisions on ov.decisions.v1. Reports requests
 * per second, that figure as a ratio to the one-hop echo pipe (`bench:pipe`) measured in the
 * same run — both draining a backlog (produced in one Kafka transaction; the clock starts when it
 * commits) — and the p99 request → decision latency at 70% of the maximum rate.
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

function request(run: string, seq: number) {
  const subject = `bench-${run}-${seq % customers}`;
  return {
    key: subject,
    value: JSON.stringify({
      specversion: '1.0',
      id: `${run}-${seq}`,
      source: 'billing',
      type: seq % 3 === 0 ? 'network.outage' : 'billing.payment_due',
      subject,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {
        intentKey: `bench:${run}:${seq}`,
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
  const send = async (from: number, count: number) => {
    const batch = Array.from({ length: count }, (_, i) => request(run, from + i));
    for (const b of batch) sentAt.set(JSON.parse(b.value).id as string, performance.now());
    await producer.send({ topic: Topics.contactRequests, acks: -1, messages: batch });
  };
  const until = async (count: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      seen();
      if (firstDecision.size >= count) return;
      if (Date.now() > deadline)
        throw new Error(`only ${firstDecision.size}/${count} decisions after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  try {
    log(`throughput: ${messages} contact requests for ${customers} customers`);
    await bench.produceBacklog(
      Topics.contactRequests,
      Array.from({ length: messages }, (_, seq) => request(run, seq)),
    );
    const cpuBefore = bench.serviceCpuMs();
    const dbCpuBefore = bench.databaseCpuMs();
    const started = performance.now();
    await until(messages, 600_000);
    const cpuPerRequest = ((bench.serviceCpuMs() - cpuBefore) * 1000) / messages;
    const dbCpuPerRequest = ((bench.databaseCpuMs() - dbCpuBefore) * 1000) / messages;
    const throughput = messages / ((performance.now() - started) / 1000);
    log(`throughput: ${throughput.toFixed(0)} requests/s`);
    await bench.pipeAgain();

    const rate = Math.max(5, Math.floor(throughput * load));
    log(`latency: ${rate} requests/s (${Math.round(load * 100)}%) for ${seconds} s`);
    let next = messages;
    let owed = 0;
    const loadStart = performance.now();
    while (performance.now() - loadStart < seconds * 1000) {
      owed += rate / 50;
      const n = Math.floor(owed);
      owed -= n;
      const tick = performance.now();
      if (n > 0) await send(next, n);
      next += n;
      const rest = 20 - (performance.now() - tick);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    }
    await until(next, 120_000);
    const latencies = [...Array(next - messages).keys()]
      .map((i) => `${run}-${messages + i}`)
      .map((id) => firstDecision.get(id)! - sentAt.get(id)!)
      .sort((a, b) => a - b);
    const p = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    const figures = {
      coordinatorPerSecond: Math.round(throughput),
      coordinatorCpuMicrosPerRequest: Math.round(cpuPerRequest),
      databaseCpuMicrosPerRequest: Math.round(dbCpuPerRequest),
      pipePerSecond: bench.pipePerSecond,
      pipeRuns: bench.pipeRuns,
      ratio: Number((throughput / bench.pipePerSecond).toFixed(3)),
      latency: { ratePerSecond: rate, p50Ms: Number(p(0.5)), p99Ms: Number(p(0.99)) },
    };
    report(
      'coordinator end to end (contact request → decision, real Kafka and Postgres)',
      [
        `throughput        ${figures.coordinatorPerSecond} requests/s`,
        `echo pipe         ${figures.pipePerSecond} events/s (same run: mean of ${bench.pipeRuns.join(' before and ')} after)`,
        `ratio             ${figures.ratio} (target 0.6)`,
        `coordinator CPU   ${figures.coordinatorCpuMicrosPerRequest} µs per request (its process, user + system)`,
        `Postgres CPU      ${figures.databaseCpuMicrosPerRequest} µs per request (local server processes; NaN when remote)`,
        `latency at ${rate}/s  p50 ${figures.latency.p50Ms} ms, p99 ${figures.latency.p99Ms} ms (target p99 < 50 ms)`,
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
