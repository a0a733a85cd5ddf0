import { freePort, GiveUp, REPO_ROOT, waitFor, type ServiceName } from '@onevoice/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';

/** One service instance of the run: started, killed, stopped (SIGSTOP) and started again. */
export class Instance {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  private log?: WriteStream;
  /** Extra environment for the next start only (a fast clock), then cleared. */
  private nextEnv: Record<string, string> = {};
  starts = 0;
  /** Exits nobody asked for (the process gave up): restarted, as a supervisor would. */
  unexpectedExits = 0;
  private expectingExit = false;
  private restarting: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly service: ServiceName,
    readonly port: number,
    private readonly env: () => Record<string, string>,
    readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.signalCode;
  }

  /** Starts the process and waits until it says it is ready. */
  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    this.nextEnv = extraEnv;
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    this.log.write(
      `${JSON.stringify({ chaos: 'start', at: new Date().toISOString(), extraEnv })}\n`,
    );
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', `apps/${this.service}/src/main.ts`],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...this.env(),
          ...this.nextEnv,
          PORT: String(this.port),
          LOG_FORMAT: 'json',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.starts++;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.expectingExit = false;
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
    child.once('exit', (code, signal) => {
      if (this.expectingExit || this.child !== child) return;
      // The service exited on its own ("exiting so a supervisor restarts us"): count it, and be
      // that supervisor.
      this.unexpectedExits++;
      this.log?.write(
        `${JSON.stringify({ chaos: 'unexpected exit', at: new Date().toISOString(), code, signal })}\n`,
      );
      this.restarting = new Promise<void>((r) => setTimeout(r, 1_000))
        .then(() => this.start())
        .catch(() => undefined)
        .finally(() => (this.restarting = undefined));
    });
    await waitFor(
      `${this.name} to be ready on ${this.url} (log: ${this.logFile})`,
      async () => {
        if (child.exitCode !== null || child.signalCode)
          throw new GiveUp(`${this.name} exited while starting; see ${this.logFile}`);
        const res = await fetch(`${this.url}/health/ready`, {
          signal: AbortSignal.timeout(2_000),
        }).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  }

  /** SIGKILL: a crash. */
  async kill(): Promise<void> {
    await this.restarting;
    if (!this.running) return;
    this.expectingExit = true;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** SIGSTOP: the process hangs (a long GC pause, a stalled VM); `resume` lets it go on. */
  pause(): void {
    if (this.running) this.child!.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.child!.kill('SIGCONT');
  }

  /** SIGTERM and a clean exit (SIGKILL after 30 s). */
  async stop(): Promise<number | null> {
    await this.restarting;
    if (!this.running) return this.child?.exitCode ?? null;
    this.expectingExit = true;
    this.child!.kill('SIGCONT');
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 30_000);
    const code = await this.exited!;
    clearTimeout(timer);
    return code;
  }

  note(line: Record<string, unknown>): void {
    this.log?.write(
      `${JSON.stringify({ chaos: 'fault', at: new Date().toISOString(), ...line })}\n`,
    );
  }
}

/** The run's processes: which services, how many of each. */
export const TOPOLOGY: readonly { service: ServiceName; count: number }[] = [
  { service: 'ingest', count: 1 },
  { service: 'behaviour-profiler', count: 1 },
  { service: 'coordinator', count: 2 },
  { service: 'dispatcher', count: 2 },
  { service: 'survey-throttler', count: 1 },
];

/** The instances of a run, by name (`coordinator-1`, `coordinator-2`, …), each on its own port. */
export async function makeInstances(
  logDir: string,
  env: (service: ServiceName, name: string) => Record<string, string>,
  ports: Partial<Record<string, number>> = {},
): Promise<Instance[]> {
  mkdirSync(logDir, { recursive: true });
  const instances: Instance[] = [];
  for (const { service, count } of TOPOLOGY)
    for (let i = 1; i <= count; i++) {
      const name = count > 1 ? `${service}-${i}` : service;
      instances.push(
        new Instance(
          name,
          service,
          ports[name] ?? (await freePort()),
          () => env(service, name),
          resolve(logDir, `${name}.log`),
        ),
      );
    }
  return instances;
}
