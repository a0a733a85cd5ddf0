/**
 * `npm start`: makes sure Kafka and Postgres answer (deploy/local/up.sh), then runs the five
 * services and the provider simulator as separate processes with readable, prefixed logs. Ctrl-C stops them cleanly; the
 * broker keeps running for the next start (`npm run kafka:stop` stops it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(__dirname, '..');
const SERVICES = [
  // The stand-in for the SMS, voice and push providers the dispatcher calls.
  { name: 'provider-simulator', port: 3009, colour: 90 },
  { name: 'ingest', port: 3001, colour: 36 },
  { name: 'behaviour-profiler', port: 3002, colour: 35 },
  { name: 'coordinator', port: 3003, colour: 33 },
  { name: 'dispatcher', port: 3004, colour: 32 },
  { name: 'survey-throttler', port: 3005, colour: 34 },
] as const;
const width = Math.max(...SERVICES.map((s) => s.name.length));
const tty = process.stdout.isTTY;
const paint = (colour: number, text: string) => (tty ? `\x1b[${colour}m${text}\x1b[0m` : text);
const say = (line: string) =>
  process.stdout.write(`${paint(1, 'onevoice'.padEnd(width))} | ${line}\n`);

const children = new Map<string, ChildProcess>();
let stopping = false;

function startService(service: (typeof SERVICES)[number]): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', `apps/${service.name}/src/main.ts`],
    {
      cwd: root,
      env: {
        ...process.env,
        LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
        ...(tty ? { FORCE_COLOR: '1' } : {}),
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        // The provider calls the dispatcher back (status) and forwards customers' replies to it.
        OV_DISPATCHER_PUBLIC_URL:
          process.env.OV_DISPATCHER_PUBLIC_URL ??
          `http://127.0.0.1:${process.env.DISPATCHER_PORT ?? 3004}`,
        SIM_INBOUND_URL:
          process.env.SIM_INBOUND_URL ??
          `http://127.0.0.1:${process.env.DISPATCHER_PORT ?? 3004}/v1/providers/inbound`,
        OV_PROVIDER_URL:
          process.env.OV_PROVIDER_URL ??
          `http://127.0.0.1:${process.env.PROVIDER_SIMULATOR_PORT ?? 3009}`,
        // The simulator dedupes texts and pushes by idempotency key (voice calls are looked up).
        OV_PROVIDER_IDEMPOTENT: process.env.OV_PROVIDER_IDEMPOTENT ?? 'sms,push',
        // The links in messages lead to this run's preference centre.
        OV_PREFERENCE_CENTRE_URL:
          process.env.OV_PREFERENCE_CENTRE_URL ??
          `http://127.0.0.1:${process.env.BEHAVIOUR_PROFILER_PORT ?? 3002}`,
        PORT:
          process.env[`${service.name.toUpperCase().replaceAll('-', '_')}_PORT`] ??
          String(service.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const prefix = paint(service.colour, service.name.padEnd(width));
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) =>
        process.stdout.write(`${prefix} | ${line}\n`),
      );
  }
  child.on('exit', (code, signal) => {
    children.delete(service.name);
    if (!stopping) {
      say(`${service.name} exited (${signal ?? `code ${code}`}); stopping the others`);
      void stopAll(1);
    }
  });
  children.set(service.name, child);
  return child;
}

async function waitReady(service: (typeof SERVICES)[number], port: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && !stopping) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  if (!stopping) throw new Error(`${service.name} was not ready on port ${port} within 90 s`);
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping services…');
  const exits = [...children.values()].map(
    (child) =>
      new Promise<void>((done) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  say('stopped. The Kafka broker keeps running: `npm run kafka:stop` stops it.');
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  say('checking Kafka and Postgres (deploy/local/up.sh)…');
  const up = spawnSync('bash', ['deploy/local/up.sh'], { cwd: root, stdio: 'inherit' });
  if (up.status !== 0)
    throw new Error('deploy/local/up.sh failed: Kafka or Postgres is not available');
  // The simulator and ingest first (ingest creates the topics and the database); the others then
  // start side by side.
  const [simulator, first, ...rest] = SERVICES;
  for (const s of [simulator, first]) {
    startService(s);
    await waitReady(s, String(s.port));
  }
  for (const s of rest) startService(s);
  await Promise.all(rest.map((s) => waitReady(s, String(s.port))));
  if (stopping) return;
  say(paint(1, 'OneVoice is running.') + ' Ctrl-C stops it.');
  for (const s of SERVICES)
    say(`  ${s.name.padEnd(width)} http://127.0.0.1:${s.port}/health/ready`);
  say('Send a first event:');
  say(
    `  curl -X POST http://127.0.0.1:3001/v1/events -H 'Authorization: Bearer dev-billing' -H 'Content-Type: application/json' \\`,
  );
  say(
    `    -d '{"specversion":"1.0","id":"first-1","source":"billing","type":"billing.payment_due","subject":"cust-42","data":{"intentKey":"bill:cust-42:2026-12","variables":{"amount":"42.00 EUR","dueDate":"2026-12-01"},"action":{"url":"https://pay.example.com/cust-42"}}}'`,
  );
}

main().catch((err: unknown) => {
  say(`failed to start: ${(err as Error).message}`);
  void stopAll(1);
});
