/**
 * `npm run bench:profiler` — the behaviour profiler on the real broker and database: interaction
 * events per second (ov.interactions.v1 → profile state in Postgres, profiles published on
 * ov.profiles.v1 when they change materially), that figure as a ratio to the one-hop echo pipe
 * (`bench:pipe`) measured in the same run — both draining a backlog (produced in one Kafka
 * transaction; the clock starts when it commits) — and the bytes of stored state per customer.
 * Targets (issue 4): ratio ≥ 0.6; under 1 KiB per customer. Run it with no other profiler running.
 */
import { Topics } from '@onevoice/contracts';
import { report, runBench, startServiceBench } from './service-bench';

const log = (line: string) => process.stderr.write(`[bench:profiler] ${line}\n`);
const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const customers = Number(process.env.BENCH_CUSTOMERS ?? 2_000);

/** A realistic mix: contacts started on several channels, payments on the web, app use, engagement. */
function interaction(run: string, seq: number) {
  const subject = `bench-${run}-${seq % customers}`;
  const kinds = [
    {
      type: 'interaction.inbound_contact',
      data: { channel: ['chat', 'voice', 'email', 'social'][seq % 4] },
    },
    { type: 'interaction.payment', data: { channel: 'web', amount: 20 } },
    { type: 'interaction.self_service', data: { channel: 'app', action: 'usage' } },
    {
      type: 'interaction.engagement',
      data: {
        decisionId: `d-${seq}`,
        channel: ['email', 'sms'][seq % 2],
        action: ['opened', 'ignored', 'clicked'][seq % 3],
      },
    },
  ];
  const k = kinds[(seq * 7) % kinds.length]!;
  return {
    key: subject,
    value: JSON.stringify({
      specversion: '1.0',
      id: `${run}-${seq}`,
      source: 'care',
      type: k.type,
      subject,
      // Spread over the last 90 days, as a customer's history is.
      time: new Date(Date.now() - (seq % 90) * 86_400_000).toISOString(),
      datacontenttype: 'application/json',
      data: k.data,
    }),
  };
}

async function main(): Promise<void> {
  const bench = await startServiceBench('behaviour-profiler', log, {
    pipeMessages: 20_000,
    nodeArgsVar: 'BENCH_PROFILER_NODE_ARGS',
  });
  const { run, db: pg } = bench;
  const processed = async () =>
    Number(
      (
        await pg.query(
          `SELECT count(*) AS n FROM behaviour_profiler.processed_messages WHERE message_id LIKE $1`,
          [`%${run}-%`],
        )
      ).rows[0].n,
    );
  try {
    log(`throughput: ${messages} interactions for ${customers} customers`);
    await bench.produceBacklog(
      Topics.interactions,
      Array.from({ length: messages }, (_, seq) => interaction(run, seq)),
    );
    const started = performance.now();
    await bench.waitUntil(processed, messages, 'processed');
    const perSecond = messages / ((performance.now() - started) / 1000);
    await bench.pipeAgain();
    const state = (
      await pg.query(
        `SELECT count(*)::int AS customers, avg(pg_column_size(c.*))::int AS row_bytes,
                avg(octet_length(behaviour::text))::int AS behaviour_json, max(pg_column_size(c.*))::int AS max_row_bytes
           FROM behaviour_profiler.customers c`,
      )
    ).rows[0] as {
      customers: number;
      row_bytes: number;
      behaviour_json: number;
      max_row_bytes: number;
    };
    const published = Number(
      (await pg.query('SELECT coalesce(sum(version), 0) AS n FROM behaviour_profiler.customers'))
        .rows[0].n,
    );
    const figures = {
      profilerPerSecond: Math.round(perSecond),
      pipePerSecond: bench.pipePerSecond,
      pipeRuns: bench.pipeRuns,
      ratio: Number((perSecond / bench.pipePerSecond).toFixed(3)),
      customers: state.customers,
      bytesPerCustomer: state.row_bytes,
      maxBytesPerCustomer: state.max_row_bytes,
      behaviourJsonBytes: state.behaviour_json,
      profilesPublished: published,
    };
    report(
      'behaviour profiler (interaction → profile state, real Kafka and Postgres)',
      [
        `throughput        ${figures.profilerPerSecond} events/s`,
        `echo pipe         ${figures.pipePerSecond} events/s (same run: mean of ${bench.pipeRuns.join(' before and ')} after)`,
        `ratio             ${figures.ratio} (target 0.6)`,
        `stored state      ${figures.bytesPerCustomer} bytes per customer on average, ${figures.maxBytesPerCustomer} at most (target < 1024); behaviour JSON ${figures.behaviourJsonBytes} bytes`,
        `profiles          ${figures.profilesPublished} published for ${figures.customers} customers and ${messages} events (only material changes)`,
      ],
      'BENCH_PROFILER',
      figures,
    );
  } finally {
    await bench.close();
  }
}

runBench('bench:profiler', main);
