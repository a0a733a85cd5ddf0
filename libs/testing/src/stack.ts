import { Kafka, logLevel } from 'kafkajs';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createTestDatabase, provideInfrastructure, type Infrastructure } from './infrastructure';
import { OtlpCollector } from './otlp-collector';
import { parseClockStart, resetTestClock } from './test-clock';
import { LOCAL_DIR, REPO_ROOT, STACK_FILE, TEST_LOG_DIR } from './paths';
import {
  freePort,
  SERVICES,
  startServiceProcess,
  type ServiceName,
  type ServiceProcess,
} from './service-process';

/** What integration specs need to reach the stack the global set-up started. */
export interface TestStack {
  /** Which OneVoice the specs run against: Kafka + Postgres and five processes, or embedded. */
  bus: 'kafka' | 'embedded';
  /** Kafka's brokers (none in the embedded mode). */
  brokers: string[];
  databaseUrl: string;
  collectorUrl: string;
  services: Record<ServiceName, string>;
  /** The environment a spec gives a service process it starts itself. */
  serviceEnv: Record<string, string>;
  /** This run's consumer group of a service. */
  groups: Record<(typeof SERVICES)[number], string>;
}

interface Running {
  infrastructure: Infrastructure;
  dropDatabase(): Promise<void>;
  collector: OtlpCollector;
  processes: ServiceProcess[];
}

// Jest may load set-up and tear-down as separate module instances; the process is shared.
const state = globalThis as { __onevoiceTestStack?: Running };

const log = (line: string) => process.stderr.write(`[test-stack] ${line}\n`);

/**
 * The specs publish on the contract's topics, so a OneVoice already consuming on the same broker
 * (`npm start`, a benchmark, a stack left behind) would take their events too and answer them:
 * twice the decisions, twice the deliveries, and specs failing for no fault of theirs. Refuses to
 * start then, saying what to do.
 */
export async function refuseRunningOneVoice(brokers: string[]): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const ids = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((id) => id.startsWith('onevoice'));
    if (ids.length === 0) return;
    const live = (await admin.describeGroups(ids)).groups.filter((g) => g.members.length > 0);
    if (live.length > 0)
      throw new Error(
        `OneVoice services are consuming on ${brokers.join(',')} (consumer groups ${live.map((g) => g.groupId).join(', ')}): they would answer the tests' events too. Stop them first (Ctrl-C where \`npm start\` runs), or point the tests at another broker with KAFKA_BROKERS. A service killed without stopping stays a member until its session times out (30 s).`,
      );
  } finally {
    await admin.disconnect();
  }
}

/**
 * The settings every test stack gives OneVoice, whichever the mode: SMS, voice and push to the
 * provider simulator, a clock the specs move, known staff tokens and signing key.
 */
function commonServiceEnv(simulatorUrl: string, collectorUrl: string): Record<string, string> {
  return {
    // SMS, voice and push go to the provider simulator; specs make it misbehave (PUT /control).
    OV_PROVIDER_URL: simulatorUrl,
    OV_PROVIDER_TIMEOUT_MS: '1500',
    OV_SEND_RETRY_BASE_MS: '200',
    OV_SEND_LEASE_MS: '4000',
    // The simulator dedupes texts and pushes by key, as providers that honour keys do; calls are
    // looked up a second after an ambiguous answer (it records what it takes at once).
    OV_PROVIDER_IDEMPOTENT: 'sms,push',
    OV_PROVIDER_LOOKUP_DELAY_MS: '1000',
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    // Every service on a clock the specs move (libs/testing/src/test-clock.ts).
    OV_CLOCK: 'manual',
    OV_SURVEY_POLICY: resolve(REPO_ROOT, 'libs/testing/fixtures/survey-policy.yaml'),
    // Signs the links in messages (dispatcher) and checks them (profiler); specs sign with it too.
    OV_SIGNING_KEY: 'test-link-secret-0123456789',
    // A token per agent (STAFF below): the consent ledger names who changed what.
    OV_STAFF_TOKENS: 'ops:staff-token-of-ops,ana:staff-token-of-ana',
    // Pruning past retention runs often, so that a spec moving the clock on sees it.
    OV_RETENTION_PASS_MS: process.env.OV_RETENTION_PASS_MS ?? '500',
  };
}

/** Starts the clock the services read, and says where it stands. */
function startStackClock(): void {
  rmSync(TEST_LOG_DIR, { recursive: true, force: true });
  // The services' clocks: the machine's time, or OV_TEST_CLOCK_START (run the suite at 02:30 UTC
  // with OV_TEST_CLOCK_START=02:30, whatever the hour).
  const clockStart = resetTestClock(parseClockStart(process.env.OV_TEST_CLOCK_START));
  log(`services' clocks start at ${clockStart.toISOString()}`);
}

function writeStack(stack: TestStack): void {
  mkdirSync(dirname(STACK_FILE), { recursive: true });
  writeFileSync(STACK_FILE, JSON.stringify(stack, null, 2));
}

/**
 * Jest global set-up of the embedded suite: OneVoice embedded (apps/onevoice: one process, its
 * own durable log and PGlite in a fresh data folder), the provider simulator and a trace collector.
 */
export async function startEmbeddedTestStack(): Promise<void> {
  const started = Date.now();
  startStackClock();
  const dataDir = resolve(LOCAL_DIR, `test-embedded-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const collector = new OtlpCollector();
  const collectorUrl = await collector.start();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const running: Running = {
    infrastructure: { brokers: [], serverUrl: '', kind: 'local', stop: async () => undefined },
    dropDatabase: async () => rmSync(dataDir, { recursive: true, force: true }),
    collector,
    processes: [],
  };
  state.__onevoiceTestStack = running;
  const simulator = await startServiceProcess('provider-simulator', {
    SIM_INBOUND_URL: `${url}/v1/providers/inbound`,
  });
  running.processes.push(simulator);
  const dbPort = await freePort();
  const serviceEnv: Record<string, string> = {
    ...commonServiceEnv(simulator.url, collectorUrl),
    OV_DATA_DIR: dataDir,
    OV_EMBEDDED_DB_PORT: String(dbPort),
    PORT: String(port),
  };
  log(`starting OneVoice embedded in ${dataDir} (log in ${TEST_LOG_DIR})`);
  running.processes.push(await startServiceProcess('onevoice', serviceEnv));
  const stack: TestStack = {
    bus: 'embedded',
    brokers: [],
    databaseUrl: `postgres://postgres@127.0.0.1:${dbPort}/postgres`,
    collectorUrl,
    services: {
      ingest: url,
      'behaviour-profiler': url,
      coordinator: url,
      dispatcher: url,
      'survey-throttler': url,
      'provider-simulator': simulator.url,
      onevoice: url,
    },
    serviceEnv,
    groups: Object.fromEntries(SERVICES.map((name) => [name, `onevoice-${name}`])) as Record<
      (typeof SERVICES)[number],
      string
    >,
  };
  writeStack(stack);
  log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (embedded)`);
}

/** Jest global set-up: real Kafka and Postgres, a trace collector, and all five services. */
export async function startTestStack(): Promise<void> {
  const started = Date.now();
  startStackClock();
  const infrastructure = await provideInfrastructure(log);
  await refuseRunningOneVoice(infrastructure.brokers);
  const db = await createTestDatabase(infrastructure.serverUrl);
  const collector = new OtlpCollector();
  const collectorUrl = await collector.start();
  const groupPrefix = `onevoice-test-${Date.now().toString(36)}-${process.pid}`;
  const running: Running = { infrastructure, dropDatabase: db.drop, collector, processes: [] };
  state.__onevoiceTestStack = running;
  // The profiler's address goes into every message's links (the dispatcher writes them).
  const profilerPort = await freePort();
  // The dispatcher's address goes to the provider, for its status callbacks and customers' replies.
  const dispatcherPort = await freePort();
  const dispatcherUrl = `http://127.0.0.1:${dispatcherPort}`;
  const simulator = await startServiceProcess('provider-simulator', {
    SIM_INBOUND_URL: `${dispatcherUrl}/v1/providers/inbound`,
  });
  running.processes.push(simulator);
  const serviceEnv: Record<string, string> = {
    ...commonServiceEnv(simulator.url, collectorUrl),
    OV_DISPATCHER_PUBLIC_URL: dispatcherUrl,
    OV_PREFERENCE_CENTRE_URL: `http://127.0.0.1:${profilerPort}`,
    KAFKA_BROKERS: infrastructure.brokers.join(','),
    DATABASE_URL: db.url,
    // Consumer groups of this run only, starting at the topics' end: stacks sharing a broker
    // (a developer's npm start, another run) never take each other's messages.
    OV_CONSUMER_GROUP_PREFIX: groupPrefix,
    OV_CONSUMER_START: 'latest',
  };
  log(`starting ${SERVICES.join(', ')} (logs in ${TEST_LOG_DIR})`);
  // The first service creates the topics and the database schemas' home; the rest start together.
  running.processes.push(await startServiceProcess('ingest', serviceEnv));
  running.processes.push(
    ...(await Promise.all(
      SERVICES.filter((s) => s !== 'ingest').map((s) =>
        startServiceProcess(
          s,
          s === 'behaviour-profiler'
            ? { ...serviceEnv, PORT: String(profilerPort) }
            : s === 'dispatcher'
              ? { ...serviceEnv, PORT: String(dispatcherPort) }
              : serviceEnv,
        ),
      ),
    )),
  );
  const stack: TestStack = {
    bus: 'kafka',
    brokers: infrastructure.brokers,
    databaseUrl: db.url,
    collectorUrl,
    services: Object.fromEntries(running.processes.map((p) => [p.name, p.url])) as Record<
      ServiceName,
      string
    >,
    serviceEnv,
    groups: Object.fromEntries(SERVICES.map((name) => [name, `${groupPrefix}-${name}`])) as Record<
      (typeof SERVICES)[number],
      string
    >,
  };
  writeStack(stack);
  log(`database ${db.url}`);
  log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${infrastructure.kind})`);
}

/** Jest global tear-down: stop what the set-up started, in reverse. */
export async function stopTestStack(): Promise<void> {
  const running = state.__onevoiceTestStack;
  if (!running) return;
  state.__onevoiceTestStack = undefined;
  const { processes, collector, dropDatabase, infrastructure } = running;
  const codes = await Promise.all(processes.map((p) => p.stop()));
  const unclean = processes.filter((_, i) => codes[i] !== 0).map((p) => p.name);
  if (unclean.length > 0) log(`did not exit cleanly: ${unclean.join(', ')}`);
  await collector.stop();
  if (process.env.OV_KEEP_TEST_DB === '1') log('OV_KEEP_TEST_DB=1: the test database is kept');
  else
    await dropDatabase().catch((err: unknown) =>
      log(`could not drop the test database: ${String(err)}`),
    );
  await infrastructure.stop();
  rmSync(STACK_FILE, { force: true });
}

/**
 * Where a service of the stack says whether it is ready, with its own checks (the embedded
 * mode's one port answers for each service with `?service=`).
 */
export function readinessUrl(stack: TestStack, service: (typeof SERVICES)[number]): string {
  return stack.bus === 'embedded'
    ? `${stack.services[service]}/health/ready?service=${service}`
    : `${stack.services[service]}/health/ready`;
}

/** For specs: the stack the global set-up started. */
export function testStack(): TestStack {
  try {
    return JSON.parse(readFileSync(STACK_FILE, 'utf8')) as TestStack;
  } catch {
    throw new Error(
      `no test stack at ${STACK_FILE}: run integration specs through jest's integration project`,
    );
  }
}

/**
 * The staff credentials the test stack's services take (`OV_STAFF_TOKENS`): one token per agent,
 * as `Authorization` header values. `ops` is the suite's everyday agent.
 */
export const STAFF = {
  ops: 'Bearer staff-token-of-ops',
  ana: 'Bearer staff-token-of-ana',
} as const;
