import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { REPO_ROOT, TEST_LOG_DIR } from './paths';
import { testClockOffsetMs } from './test-clock';
import { GiveUp, waitFor } from './wait';

export const SERVICES = [
  'ingest',
  'behaviour-profiler',
  'coordinator',
  'dispatcher',
  'survey-throttler',
] as const;
/** The services, and the stand-in for the SMS, voice and push providers they call. */
export type ServiceName = (typeof SERVICES)[number] | 'provider-simulator' | 'onevoice';

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  url: string;
  logFile: string;
  child: ChildProcess;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, for fault tests. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * Runs a service as a real Node process, as `npm start` does (OpenTelemetry's instrumentation
 * needs a real module loader, not Jest's), and waits until its readiness endpoint says ready.
 */
export async function startServiceProcess(
  name: ServiceName,
  env: Record<string, string>,
  { readyTimeoutMs = 60_000, logSuffix = '', nodeArgs = [] as string[] } = {},
): Promise<ServiceProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  mkdirSync(TEST_LOG_DIR, { recursive: true });
  const logFile = resolve(TEST_LOG_DIR, `${name}${logSuffix}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      // e.g. OV_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=.local/profiles" to profile a run.
      ...(process.env.OV_SERVICE_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
      '-r',
      '@swc-node/register',
      `apps/${name}/src/main.ts`,
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...env,
        // A manual clock reads what the stack's clocks read, exactly (see test-clock.ts).
        ...(env.OV_CLOCK === 'manual' && !env.OV_CLOCK_START && !env.OV_CLOCK_OFFSET_MS
          ? { OV_CLOCK_OFFSET_MS: String(testClockOffsetMs()) }
          : {}),
        PORT: String(port),
        LOG_FORMAT: 'json',
        NODE_ENV: 'test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let gone = false;
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      gone = true;
      r(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${name} to be ready on ${url} (log: ${logFile})`,
    async () => {
      if (gone) throw new GiveUp(`${name} exited while starting; see ${logFile}`);
      const res = await fetch(`${url}/health/ready`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    { timeoutMs: readyTimeoutMs, intervalMs: 200 },
  );
  return {
    name,
    port,
    url,
    logFile,
    child,
    stop: async () => {
      if (!gone) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
  };
}
