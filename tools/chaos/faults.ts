import { REPO_ROOT } from '@onevoice/testing';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { Random } from '../../apps/coordinator/src/simulation/random';
import type { Instance } from './cluster';
import type { TcpProxy } from './tcp-proxy';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Every fault the run can inject. */
export const FAULT_KINDS = [
  'kill-coordinator',
  'kill-dispatcher',
  'kill-ingest',
  'kill-profiler',
  'kill-throttler',
  'zombie-coordinator',
  'zombie-dispatcher',
  'broker-restart',
  'postgres-restart',
  'postgres-partition-during-rebalance',
  'postgres-latency',
  'provider-timeout',
  'provider-slow',
  'provider-partition',
  'provider-reset',
  'provider-5xx',
  'provider-429',
  'provider-late-record',
  'provider-late-report',
  'dispatcher-clock-fast',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** Share of the inputs sent (0..1) when it starts. */
  at: number;
  kind: FaultKind;
}

/**
 * `count` faults: a broker restart, a Postgres restart and a Postgres partition during a
 * rebalance at 20, 40 and 60% of the inputs, the rest at random points, every kind before any
 * kind comes twice.
 */
export function planFaults(count: number, seed: number): PlannedFault[] {
  const rng = new Random(seed, 0xfa017);
  const pinned: PlannedFault[] = (
    [
      [0.2, 'broker-restart'],
      [0.4, 'postgres-restart'],
      [0.6, 'postgres-partition-during-rebalance'],
    ] as const
  )
    .slice(0, count)
    .map(([at, kind]) => ({ at, kind }));
  const rest: PlannedFault[] = [];
  let deck: FaultKind[] = [];
  while (pinned.length + rest.length < count) {
    if (deck.length === 0) deck = shuffle([...FAULT_KINDS], rng);
    rest.push({ at: 0.05 + rng.next() * 0.9, kind: deck.pop()! });
  }
  return [...pinned, ...rest].sort((a, b) => a.at - b.at);
}

function shuffle<T>(items: T[], rng: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** What a fault can reach. */
export interface FaultContext {
  instances: Instance[];
  /** Between every service and Postgres. */
  postgres: TcpProxy;
  /** The database server, for a restart (or its stand-in). */
  databaseUrl: string;
  providerUrl: string;
  /** Between the dispatchers and the provider. */
  provider: TcpProxy;
  /** Whether the broker is the one deploy/local/kafka.sh runs (it may be restarted). */
  localBroker: boolean;
  /** libfaketime, where deploy/local/faketime.sh fetched it. */
  faketime?: string;
  /** The services' clock offset (ms ahead of the machine's), the fast dispatcher's base. */
  clockOffsetMs: number;
  /** The provider's timeout: its slow answers come after it. */
  providerTimeoutMs: number;
  /** How long a stopped process must hang to be a zombie: past the session timeout and the lease. */
  zombieMs: number;
  rng: Random;
  log(line: string): void;
}

/** A fault as it happened. */
export interface FaultRecord {
  kind: FaultKind;
  target: string;
  /** When it began and when it was over (the process back, the network healed), ms since 1970. */
  startedAt: number;
  healedAt: number;
  detail?: string;
}

/** Injects one fault and returns once it is over. */
export async function inject(kind: FaultKind, ctx: FaultContext): Promise<FaultRecord> {
  const startedAt = Date.now();
  const done = (target: string, detail?: string): FaultRecord => ({
    kind,
    target,
    startedAt,
    healedAt: Date.now(),
    ...(detail ? { detail } : {}),
  });
  const pick = (service: string) => {
    const of = ctx.instances.filter((i) => i.service === service && i.running);
    return (
      of[Math.floor(ctx.rng.next() * of.length)] ??
      ctx.instances.find((i) => i.service === service)!
    );
  };
  const provider = (chaos: Record<string, number>, target = 'provider') =>
    fetch(`${ctx.providerUrl}/control`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chaos),
    }).then(async (res) => {
      if (!res.ok)
        throw new Error(`provider simulator refused ${JSON.stringify(chaos)}: ${res.status}`);
      return done(target, JSON.stringify(chaos));
    });
  const slow = ctx.providerTimeoutMs * 2;
  switch (kind) {
    case 'kill-coordinator':
    case 'kill-dispatcher':
    case 'kill-ingest':
    case 'kill-profiler':
    case 'kill-throttler': {
      const service = {
        'kill-coordinator': 'coordinator',
        'kill-dispatcher': 'dispatcher',
        'kill-ingest': 'ingest',
        'kill-profiler': 'behaviour-profiler',
        'kill-throttler': 'survey-throttler',
      }[kind];
      const target = pick(service);
      target.note({ fault: kind });
      await target.kill();
      await sleep(1_000 + ctx.rng.next() * 2_000);
      await target.start();
      return done(target.name, 'SIGKILL, then started again');
    }
    case 'zombie-coordinator':
    case 'zombie-dispatcher': {
      const target = pick(kind === 'zombie-coordinator' ? 'coordinator' : 'dispatcher');
      target.note({ fault: kind, ms: ctx.zombieMs });
      target.pause();
      await sleep(ctx.zombieMs);
      target.resume();
      return done(target.name, `SIGSTOP for ${ctx.zombieMs} ms, then SIGCONT`);
    }
    case 'broker-restart': {
      if (!ctx.localBroker)
        return done('kafka', 'skipped: the broker is not deploy/local/kafka.sh');
      const script = resolve(REPO_ROOT, 'deploy/local/kafka.sh');
      await run('bash', [script, 'stop'], { timeout: 120_000 });
      await sleep(2_000);
      await run('bash', [script, 'start'], { timeout: 300_000 });
      return done('kafka', 'deploy/local/kafka.sh stop, start');
    }
    case 'postgres-restart':
      return done('postgres', await restartPostgres(ctx));
    case 'postgres-partition-during-rebalance': {
      // Postgres unreachable (packets held, no answers) for 20 s while a coordinator leaves the
      // group: the others take its partitions and meet the database's silence.
      const leaving = pick('coordinator');
      ctx.postgres.set({ kind: 'blackhole' });
      leaving.note({ fault: kind });
      await leaving.kill();
      await sleep(20_000);
      ctx.postgres.set({ kind: 'pass' });
      await leaving.start();
      return done(`postgres, ${leaving.name}`, 'blackholed 20 s; a coordinator killed meanwhile');
    }
    case 'postgres-latency': {
      const ms = 100 + Math.round(ctx.rng.next() * 200);
      ctx.postgres.set({ kind: 'latency', ms });
      await sleep(10_000);
      ctx.postgres.set({ kind: 'pass' });
      return done('postgres', `${ms} ms per packet for 10 s`);
    }
    case 'provider-timeout':
      return provider({ timeoutNext: 5, timeoutMs: slow });
    case 'provider-slow': {
      // Every answer just inside the timeout for 15 s: a claim of many is sent slice after slice,
      // the last ones late in their lease.
      const latencyMs = Math.round(ctx.providerTimeoutMs * 0.8);
      await provider({ latencyMs });
      await sleep(15_000);
      return provider({ latencyMs: 0 }).then((r) => ({
        ...r,
        detail: `every answer ${latencyMs} ms for 15 s`,
      }));
    }
    case 'provider-partition': {
      // Nothing gets through to the provider or back for 8 s: calls time out, their requests
      // perhaps never having arrived; then every open connection is reset.
      ctx.provider.set({ kind: 'blackhole' });
      await sleep(8_000);
      ctx.provider.set({ kind: 'refuse' });
      ctx.provider.set({ kind: 'pass' });
      return done('provider (network)', 'packets held 8 s, then the connections reset');
    }
    case 'provider-reset':
      return provider({ resetNext: 5 });
    case 'provider-5xx':
      return provider({ failNext: 10 });
    case 'provider-429':
      return provider({ throttleNext: 10 });
    case 'provider-late-record':
      // Taken, answered too late, and findable only seconds later: a lookup made at once would
      // read "not taken".
      return provider({ timeoutNext: 3, timeoutMs: slow, recordLateNext: 3, recordLagMs: 3_000 });
    case 'provider-late-report':
      return provider({ timeoutNext: 3, timeoutMs: slow, reportLateNext: 3, lateReportMs: 8_000 });
    case 'dispatcher-clock-fast': {
      const target = pick('dispatcher');
      target.note({ fault: kind });
      await target.stop();
      const fast: Record<string, string> = ctx.faketime
        ? { LD_PRELOAD: ctx.faketime, FAKETIME: '+90s', FAKETIME_DONT_FAKE_MONOTONIC: '1' }
        : { OV_CLOCK_OFFSET_MS: String(ctx.clockOffsetMs + 90_000) };
      await target.start(fast);
      await sleep(30_000);
      await target.stop();
      await target.start();
      return done(
        target.name,
        ctx.faketime
          ? 'its host clock 90 s fast (libfaketime) for 30 s'
          : 'its clock 90 s fast (OV_CLOCK_OFFSET_MS; no libfaketime) for 30 s',
      );
    }
  }
}

/**
 * Restarts the Postgres server when this machine runs it and may (Debian's pg_ctlcluster, as
 * root or postgres); otherwise what the services see of a restart: every connection to the run's
 * database terminated, and new ones refused for 3 s.
 */
async function restartPostgres(ctx: FaultContext): Promise<string> {
  const url = new URL(ctx.databaseUrl);
  const local = ['127.0.0.1', 'localhost'].includes(url.hostname);
  const uid = process.getuid?.();
  if (
    local &&
    (uid === 0 || process.env.USER === 'postgres') &&
    existsSync('/usr/bin/pg_ctlcluster')
  ) {
    const { stdout } = await run('pg_lsclusters', ['-h']);
    const cluster = stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f[2] === (url.port || '5432') && f[3] === 'online');
    if (cluster) {
      await run('pg_ctlcluster', [cluster[0]!, cluster[1]!, 'restart', '-m', 'fast'], {
        timeout: 120_000,
      });
      return `pg_ctlcluster ${cluster[0]} ${cluster[1]} restart -m fast`;
    }
  }
  ctx.postgres.set({ kind: 'refuse' });
  const admin = new Client({ connectionString: ctx.databaseUrl });
  await admin.connect();
  try {
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
  } finally {
    await admin.end();
  }
  await sleep(3_000);
  ctx.postgres.set({ kind: 'pass' });
  return 'connections terminated and refused for 3 s (no pg_ctlcluster here)';
}
