/**
 * `npm run chaos` — exactly once under faults: OneVoice's real processes (two coordinators, two
 * dispatchers, one of each other service, the provider simulator) on the real broker and Postgres,
 * a load of department events over HTTP and Kafka, and a seeded schedule of faults; then a checker
 * reads everything back and verifies DESIGN's invariants. docs/chaos.md says what each fault and
 * each figure is.
 */
import { ALL_TOPICS, Topics } from '@onevoice/contracts';
import { ensureTopics, topicEnds } from '@onevoice/messaging';
import {
  createTestDatabase,
  freePort,
  LOCAL_DIR,
  provideInfrastructure,
  refuseRunningOneVoice,
  REPO_ROOT,
  TopicTap,
  waitFor,
} from '@onevoice/testing';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { Random } from '../../apps/coordinator/src/simulation/random';
import { commandLine } from '../cli';
import { check, type ProviderAttempt, type Starts } from './checker';
import { Instance, makeInstances } from './cluster';
import { inject, planFaults, type FaultRecord } from './faults';
import { inputsOf, LoadGenerator, type Input } from './load';
import { hostileInputs } from './fuzz';
import { TcpProxy } from './tcp-proxy';
import { AssignerProtocol, Kafka, logLevel, Partitioners } from 'kafkajs';

const HELP = `npm run chaos -- [options]

  --inputs N     department events to send (default 20000): the simulator's population, half
                 over HTTP, half onto ov.events.v1, 2% malformed on purpose
  --faults N     faults to inject (default 50), at random and at 20/40/60% of the inputs
  --seed S       seeds the inputs and the faults (default 1): the same seed, the same run
  --rate R       inputs per second while no fault holds the load back (default 100)
  --fuzz N       also send N hostile inputs (invalid bytes, UTF-16, 5,000-deep nesting, 900 KB
                 variables, unknown channels and types, impossible times and zones,
                 javascript:/data: URLs …), half over HTTP, half onto ov.events.v1: never a 5xx
                 or a hang, every one dead-lettered with its reason, the consumers still deciding
  --json         print the report as one JSON object on stdout
  --keep         keep the run's database and logs even when it passes

Needs Kafka (KAFKA_BROKERS, or deploy/local/kafka.sh's broker, started if absent) and Postgres
(DATABASE_URL, or 127.0.0.1:5432). Logs and the report go to .local/chaos/<run>/; a failing run
keeps them, with the command that reproduces it.`;

const cli = commandLine('chaos', HELP, {
  inputs: { type: 'string' },
  faults: { type: 'string' },
  seed: { type: 'string' },
  rate: { type: 'string' },
  fuzz: { type: 'string' },
  json: { type: 'boolean' },
  keep: { type: 'boolean' },
  help: { type: 'boolean' },
});
if (cli.values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const options = {
  inputs: cli.int('inputs', 20_000, 1),
  faults: cli.int('faults', 50, 0),
  seed: cli.int('seed', 1, 0),
  rate: cli.int('rate', 100, 1),
  fuzz: cli.int('fuzz', 0, 0),
  json: cli.values.json === true,
  keep: cli.values.keep === true,
};

const PROVIDER_TIMEOUT_MS = 2_000;
const LEASE_MS = 10_000;
const SESSION_TIMEOUT_MS = 10_000;
const LOOKUP_DELAY_MS = 5_000;
/** How long after the load the system may take to finish what it was given. */
const SETTLE_MS = 300_000;
/** How long a probe may wait for its decision after a fault is over. */
const PROBE_TIMEOUT_MS = 180_000;

const runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-s${options.seed}`;
const runDir = resolve(LOCAL_DIR, 'chaos', runId);
mkdirSync(runDir, { recursive: true });
const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);
const reproduce = `npm run chaos -- --inputs ${options.inputs} --faults ${options.faults} --seed ${options.seed} --rate ${options.rate}${options.fuzz > 0 ? ` --fuzz ${options.fuzz}` : ''}`;

async function main(): Promise<number> {
  const began = Date.now();
  const infrastructure = await provideInfrastructure(log);
  const brokers = infrastructure.brokers;
  await refuseRunningOneVoice(brokers);
  const db = await createTestDatabase(infrastructure.serverUrl);
  const dbUrl = new URL(db.url);
  const postgres = new TcpProxy(
    { host: dbUrl.hostname, port: Number(dbUrl.port || 5432) },
    'postgres',
  );
  const proxied = new URL(db.url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(await postgres.start());
  // The services read a working day in their markets, whatever the hour of the run: 17:00 UTC.
  const day = new Date();
  day.setUTCHours(17, 0, 0, 0);
  const clockOffsetMs = day.getTime() - Date.now();
  const servicesNow = () => new Date(Date.now() + clockOffsetMs);
  const groupPrefix = `onevoice-chaos-${runId.toLowerCase()}`;
  const faketime = await fetchFaketime();

  const simulator = new Instance(
    'provider-simulator',
    'provider-simulator',
    await freePort(),
    () => ({}),
    resolve(runDir, 'provider-simulator.log'),
  );
  // The dispatchers reach the provider through a proxy too: resets and partitions on the way.
  const providerProxy = new TcpProxy({ host: '127.0.0.1', port: simulator.port }, 'provider');
  const providerViaProxy = `http://127.0.0.1:${await providerProxy.start()}`;
  let dispatcherUrl = '';
  const env = (): Record<string, string> => ({
    KAFKA_BROKERS: brokers.join(','),
    DATABASE_URL: proxied.toString(),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    OV_CONSUMER_GROUP_PREFIX: groupPrefix,
    OV_CONSUMER_START: 'earliest',
    OV_KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    OV_CLOCK: 'manual',
    OV_CLOCK_OFFSET_MS: String(clockOffsetMs),
    OV_SIGNING_KEY: 'chaos-link-secret-0123456789',
    OV_PROVIDER_URL: providerViaProxy,
    OV_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
    OV_SEND_LEASE_MS: String(LEASE_MS),
    OV_SEND_RETRY_BASE_MS: '200',
    // No provider is trusted to dedupe (the default): a second call for one delivery is a defect.
    OV_PROVIDER_IDEMPOTENT: '',
    OV_PROVIDER_LOOKUP_DELAY_MS: String(LOOKUP_DELAY_MS),
    OV_DISPATCHER_PUBLIC_URL: dispatcherUrl,
    OV_DB_CONNECT_TIMEOUT_MS: '5000',
  });
  const instances = await makeInstances(runDir, env);
  const byName = (name: string) => instances.find((i) => i.name === name)!;
  dispatcherUrl = byName('dispatcher-1').url;
  // Its own client, silent: --json keeps stdout for the report alone.
  const kafka = new Kafka({ brokers, clientId: 'onevoice-chaos', logLevel: logLevel.NOTHING });
  let tap: TopicTap | undefined;
  const load = new LoadGenerator(kafka, () => byName('ingest').url, servicesNow);
  const records: (FaultRecord & { recoverySeconds: number | null })[] = [];
  let verdictFailed = true;
  try {
    log(`run ${runId}: logs in ${runDir}`);
    log(`reproduce with: ${reproduce}`);
    await simulator.start({ SIM_INBOUND_URL: `${dispatcherUrl}/v1/providers/inbound` });
    // Where the topics stand now is where the services start and the checker reads from. Each
    // service's group gets those offsets committed before it starts: a group that only starts
    // "at the latest" and is killed before it commits on a partition would start at the latest
    // again, and skip what arrived while it was down.
    await ensureTopics(kafka, 6);
    const starts: Starts = {};
    for (const topic of ALL_TOPICS) starts[topic] = await topicEnds(kafka, topic);
    await startGroupsAt(
      kafka,
      [...new Set(instances.map((i) => `${groupPrefix}-${i.service}`))],
      starts,
    );
    await Promise.all(instances.map((i) => i.start()));
    log(`started ${instances.map((i) => i.name).join(', ')}, provider simulator`);
    tap = await TopicTap.open(brokers, [Topics.decisions]);
    await load.start();

    const planned = planFaults(options.faults, options.seed);
    const all = inputsOf(options.inputs, options.seed, servicesNow());
    const inputs: Input[] = all.map((x) => x.input);
    const rng = new Random(options.seed, 0xc7a05);
    const ctx = {
      instances,
      postgres,
      databaseUrl: db.url,
      providerUrl: simulator.url,
      provider: providerProxy,
      localBroker: infrastructure.kind === 'local' && !process.env.KAFKA_BROKERS,
      ...(faketime ? { faketime } : {}),
      clockOffsetMs,
      providerTimeoutMs: PROVIDER_TIMEOUT_MS,
      zombieMs: Math.max(SESSION_TIMEOUT_MS, LEASE_MS) + 5_000,
      rng,
      log,
    };
    let probes = 0;
    /** Sends a contact request after a fault and times its decision: how long recovery took. */
    const probe = async (healedAt: number): Promise<number | null> => {
      const id = `chaos-probe-${runId}-${++probes}`;
      const customer = `chaos-probe-${probes}`;
      const body = JSON.stringify({
        specversion: '1.0',
        id,
        source: 'billing',
        type: 'billing.payment_due',
        subject: customer,
        time: servicesNow().toISOString(),
        data: {
          intentKey: `probe:${id}`,
          variables: { amount: '1.00 USD', dueDate: '2026-12-31' },
          action: { url: 'https://pay.example.test/probe' },
        },
      });
      try {
        await waitFor(
          'ingest to take the probe',
          async () => {
            const res = await fetch(`${byName('ingest').url}/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: 'Bearer dev-billing' },
              body,
              signal: AbortSignal.timeout(5_000),
            }).catch(() => undefined);
            return res && res.status < 300 ? true : undefined;
          },
          { timeoutMs: PROBE_TIMEOUT_MS, intervalMs: 250 },
        );
        const [decided] = await tap!.waitForMessages(
          `the probe ${id}'s decision`,
          (m) => m.key === customer && m.value?.toString().includes(id) === true,
          { timeoutMs: PROBE_TIMEOUT_MS },
        );
        // When the coordinator published it (the record's timestamp), not when this run's own
        // consumer — itself recovering from the fault — read it.
        return Math.max(0, decided!.timestamp - healedAt) / 1000;
      } catch (err) {
        log(`probe ${id} got no decision: ${(err as Error).message}`);
        return null;
      }
    };

    // The faults run one after another, each when the load reaches its point; the load waits
    // for a fault that is due while another is still under way.
    let chain: Promise<void> = Promise.resolve();
    let busy = false;
    const queued: typeof planned = [...planned];
    const startFault = (fault: (typeof planned)[number]) => {
      busy = true;
      chain = chain.then(async () => {
        log(`fault ${records.length + 1}/${planned.length}: ${fault.kind}`);
        try {
          const record = await inject(fault.kind, ctx);
          const recoverySeconds = await probe(record.healedAt);
          records.push({ ...record, recoverySeconds });
          log(
            `  ${record.kind} on ${record.target}: ${record.detail ?? ''}; recovered in ${recoverySeconds ?? 'never'} s`,
          );
        } catch (err) {
          log(`  ${fault.kind} could not be injected: ${(err as Error).message}`);
          records.push({
            kind: fault.kind,
            target: '',
            startedAt: Date.now(),
            healedAt: Date.now(),
            detail: `not injected: ${(err as Error).message}`,
            recoverySeconds: null,
          });
        } finally {
          busy = false;
        }
      });
    };
    const batchSize = Math.max(1, Math.round(options.rate / 4));
    let sent = 0;
    let lastLog = Date.now();
    for (let i = 0; i < all.length; i += batchSize) {
      const progress = i / all.length;
      while (queued[0] && queued[0].at <= progress) {
        while (busy) await new Promise((r) => setTimeout(r, 200));
        startFault(queued.shift()!);
      }
      const t0 = Date.now();
      await load.send(all.slice(i, i + batchSize));
      sent = Math.min(all.length, i + batchSize);
      const pause = 250 - (Date.now() - t0);
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      if (Date.now() - lastLog > 10_000) {
        log(`${sent}/${all.length} inputs sent, ${records.length}/${planned.length} faults done`);
        lastLog = Date.now();
      }
    }
    for (const fault of queued) {
      while (busy) await new Promise((r) => setTimeout(r, 200));
      startFault(fault);
    }
    await chain;
    const hostile =
      options.fuzz > 0 ? await sendHostile(kafka, byName('ingest').url, runId) : undefined;
    if (hostile) {
      const after = await probe(Date.now());
      hostile.probeSeconds = after;
      log(
        `fuzz: ${hostile.sent} hostile inputs of ${hostile.kinds} kinds; over HTTP ${JSON.stringify(hostile.httpStatuses)}; a decision ${after ?? 'never'} s after`,
      );
    }
    log(
      `all ${all.length} inputs sent and ${records.length} faults done; waiting for OneVoice to settle`,
    );
    const settled = await settle(kafka, groupPrefix, starts, db.url, servicesNow, log);
    const attempts = (
      (await (await fetch(`${simulator.url}/control`)).json()) as { attempts: ProviderAttempt[] }
    ).attempts;
    const verdict = await check(
      kafka,
      starts,
      inputs,
      attempts,
      await heldSurveys(db.url),
      hostile?.overKafka ?? [],
      `${groupPrefix}-dispatcher`,
    );
    const faultsByKind: Record<string, number> = {};
    for (const r of records) faultsByKind[r.kind] = (faultsByKind[r.kind] ?? 0) + 1;
    const recoveries = records.flatMap((r) =>
      r.recoverySeconds === null ? [] : [r.recoverySeconds],
    );
    const report = {
      run: runId,
      seed: options.seed,
      reproduce,
      faults: records.filter(
        (r) => !r.detail?.startsWith('not injected') && !r.detail?.startsWith('skipped'),
      ).length,
      faultsByKind,
      faultKinds: Object.keys(faultsByKind).length,
      inputs: verdict.inputs,
      outcomes: verdict.outcomes,
      lostInputs: verdict.lostInputs + verdict.approvedWithoutDelivery,
      duplicateSends: verdict.duplicateSends,
      duplicateMessagesPerIntent: verdict.duplicateMessagesPerIntent,
      validInputsDeadLettered: verdict.validInputsDeadLettered,
      invalidNotDeadLettered: verdict.invalidNotDeadLettered,
      invalidAcceptedOverHttp: verdict.invalidAcceptedOverHttp,
      approvedWithoutDelivery: verdict.approvedWithoutDelivery,
      approvedOnTheirWay: verdict.approvedOnTheirWay,
      ...(hostile
        ? {
            fuzz: {
              sent: hostile.sent,
              kinds: hostile.kinds,
              overHttp: hostile.overHttp.length,
              httpStatuses: hostile.httpStatuses,
              http5xx: hostile.http5xx,
              httpHung: hostile.httpHung,
              overKafka: hostile.overKafka.length,
              notDeadLettered: verdict.hostileNotDeadLettered,
              decidingAfterwardsSeconds: hostile.probeSeconds,
            },
          }
        : {}),
      maxRecoverySeconds: recoveries.length > 0 ? Math.max(...recoveries) : null,
      unrecoveredFaults: records.filter((r) => r.recoverySeconds === null).length,
      settleSeconds: settled.seconds,
      settled: settled.done,
      lagAtEnd: settled.lag,
      deliveries: verdict.deliveries,
      deadLetters: verdict.deadLetters,
      loadRetries: load.retries,
      unexpectedExits: Object.fromEntries(
        instances.filter((i) => i.unexpectedExits > 0).map((i) => [i.name, i.unexpectedExits]),
      ),
      seconds: Math.round((Date.now() - began) / 1000),
      faultLog: records.map((r) => ({
        kind: r.kind,
        target: r.target,
        detail: r.detail,
        seconds: Math.round((r.healedAt - r.startedAt) / 100) / 10,
        recoverySeconds: r.recoverySeconds,
      })),
      examples: verdict.examples,
    };
    const failures = [
      report.lostInputs > 0 && `lostInputs ${report.lostInputs}`,
      report.duplicateSends > 0 && `duplicateSends ${report.duplicateSends}`,
      report.duplicateMessagesPerIntent > 0 &&
        `duplicateMessagesPerIntent ${report.duplicateMessagesPerIntent}`,
      report.validInputsDeadLettered > 0 &&
        `validInputsDeadLettered ${report.validInputsDeadLettered}`,
      report.invalidNotDeadLettered > 0 &&
        `invalidNotDeadLettered ${report.invalidNotDeadLettered}`,
      report.invalidAcceptedOverHttp > 0 &&
        `invalidAcceptedOverHttp ${report.invalidAcceptedOverHttp}`,
      report.unrecoveredFaults > 0 && `unrecoveredFaults ${report.unrecoveredFaults}`,
      !report.settled && 'OneVoice did not settle',
      hostile && hostile.http5xx > 0 && `fuzz: ${hostile.http5xx} answered 5xx`,
      hostile && hostile.httpHung > 0 && `fuzz: ${hostile.httpHung} not answered within 10 s`,
      hostile &&
        verdict.hostileNotDeadLettered > 0 &&
        `fuzz: ${verdict.hostileNotDeadLettered} not dead-lettered`,
      hostile && hostile.probeSeconds === null && 'fuzz: no decision afterwards',
    ].filter((f): f is string => typeof f === 'string');
    writeFileSync(resolve(runDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(summary(report, failures));
    verdictFailed = failures.length > 0;
    if (verdictFailed) {
      writeFileSync(resolve(runDir, 'reproduce.txt'), `${reproduce}\n`);
      log(`FAILED (${failures.join(', ')}); logs and report kept in ${runDir}`);
    }
    return verdictFailed ? 1 : 0;
  } finally {
    postgres.set({ kind: 'pass' });
    providerProxy.set({ kind: 'pass' });
    await tap?.close().catch(() => undefined);
    await load.stop().catch(() => undefined);
    await Promise.all([...instances, simulator].map((i) => i.stop().catch(() => null)));
    await postgres.stop();
    await providerProxy.stop();
    if (verdictFailed || options.keep) log(`database kept: ${db.url}`);
    else {
      await db.drop().catch((err: unknown) => log(`could not drop ${db.url}: ${String(err)}`));
      rmSync(runDir, { recursive: true, force: true });
    }
    await infrastructure.stop();
  }
}

/**
 * Sends the hostile inputs of `--fuzz`: over HTTP each must be answered 4xx within 10 s (never a
 * 5xx, never a hang); over Kafka each must reach the DLQ (the checker looks).
 */
async function sendHostile(kafka: Kafka, ingestUrl: string, runTag: string) {
  const all = hostileInputs(options.fuzz, options.seed, runTag);
  const overHttp = all.filter((_, i) => i % 2 === 0);
  const overKafka = all.filter((_, i) => i % 2 === 1);
  const httpStatuses: Record<string, number> = {};
  let http5xx = 0;
  let httpHung = 0;
  for (const h of overHttp) {
    const res = await fetch(`${ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer dev-${h.source}` },
      body: h.bytes,
      signal: AbortSignal.timeout(10_000),
    }).catch((err: unknown) => err as Error);
    if (res instanceof Error) {
      httpHung++;
      continue;
    }
    await res.body?.cancel();
    const key = `${h.kind}: ${res.status}`;
    httpStatuses[key] = (httpStatuses[key] ?? 0) + 1;
    if (res.status >= 500) http5xx++;
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic: Topics.events,
      acks: -1,
      messages: overKafka.map((h) => ({ key: h.key, value: h.bytes })),
    });
  } finally {
    await producer.disconnect();
  }
  return {
    sent: all.length,
    kinds: [...new Set(all.map((h) => h.kind))].length,
    overHttp,
    overKafka: overKafka.map((h) => ({ key: h.key, kind: h.kind })),
    httpStatuses,
    http5xx,
    httpHung,
    probeSeconds: null as number | null,
  };
}

/**
 * Commits `starts` for every topic as each group's offsets, before any service joins: one short
 * member per group joins, commits and leaves (kafkajs's admin `setOffsets` joins once per topic,
 * seconds each).
 */
async function startGroupsAt(kafka: Kafka, groups: string[], starts: Starts): Promise<void> {
  const topics = Object.keys(starts);
  await Promise.all(
    groups.map(async (groupId) => {
      const consumer = kafka.consumer({ groupId });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics });
        const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
        await consumer.run({ autoCommit: false, eachBatch: () => Promise.resolve() });
        consumer.pause(topics.map((topic) => ({ topic })));
        await joined;
        await consumer.commitOffsets(
          Object.entries(starts).flatMap(([topic, partitions]) =>
            partitions.map((p) => ({ topic, partition: p.partition, offset: p.offset })),
          ),
        );
      } finally {
        await consumer.disconnect();
      }
    }),
  );
}

/** Survey requests the survey gate still holds (a reason of its own, not yet announced). */
async function heldSurveys(databaseUrl: string): Promise<Set<string>> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ request_id: string }>(
      `SELECT request_id FROM survey_throttler.surveys WHERE status = 'held'`,
    );
    return new Set(rows.map((r) => r.request_id));
  } finally {
    await pg.end();
  }
}

/** libfaketime's path (deploy/local/faketime.sh fetches it once), or none where it cannot be had. */
async function fetchFaketime(): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('bash', [
      resolve(REPO_ROOT, 'deploy/local/faketime.sh'),
    ]);
    const path = stdout.trim();
    return existsSync(path) ? path : undefined;
  } catch (err) {
    log(
      `no libfaketime (${(err as Error).message.split('\n')[0]}): the fast clock is the service's own`,
    );
    return undefined;
  }
}

/**
 * Waits until OneVoice has done what it was given: every consumer group caught up, and nothing
 * in flight or due at the dispatchers. Returns how long that took, or that it did not.
 */
async function settle(
  kafka: Kafka,
  groupPrefix: string,
  starts: Starts,
  databaseUrl: string,
  servicesNow: () => Date,
  log: (line: string) => void,
): Promise<{ done: boolean; seconds: number; lag: number }> {
  const began = Date.now();
  const admin = kafka.admin();
  await admin.connect();
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  let lag = Infinity;
  try {
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(groupPrefix));
    for (;;) {
      lag = 0;
      // Only the topics each group's members are assigned (its offsets were set on every topic);
      // a group with no member now (one restarting) has not settled.
      let memberless = 0;
      const consumed = new Map<string, Set<string>>();
      for (const group of (await admin.describeGroups(groups)).groups) {
        const topics = new Set<string>();
        for (const member of group.members)
          for (const topic of Object.keys(
            AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {},
          ))
            topics.add(topic);
        if (group.members.length === 0) memberless++;
        consumed.set(group.groupId, topics);
      }
      lag += memberless;
      for (const groupId of groups) {
        const topics = [...(consumed.get(groupId) ?? [])];
        if (topics.length === 0) continue;
        for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
          const ends = await admin.fetchTopicOffsets(topic);
          for (const p of partitions) {
            const high = BigInt(ends.find((e) => e.partition === p.partition)?.high ?? '0');
            const from =
              p.offset === '-1'
                ? BigInt(starts[topic]?.find((s) => s.partition === p.partition)?.offset ?? high)
                : BigInt(p.offset);
            if (high > from) lag += Number(high - from);
          }
        }
      }
      const { rows } = await pg.query<{ n: string }>(
        `SELECT count(*) AS n FROM dispatcher.deliveries
          WHERE state IN ('sending', 'uncertain')
             OR (state = 'scheduled' AND coalesce(next_attempt_at, send_after) <= $1)`,
        // A minute ahead: what waits for a provider's circuit to close (30 s) goes out first.
        [new Date(servicesNow().getTime() + 60_000)],
      );
      // Survey requests the gate holds to let competitors arrive (not announced) until then.
      const surveys = await pg.query<{ n: string }>(
        `SELECT count(*) AS n FROM survey_throttler.surveys WHERE status = 'held' AND hold_until <= $1`,
        [new Date(servicesNow().getTime() + 5_000)],
      );
      const inFlight = Number(rows[0]!.n) + Number(surveys.rows[0]!.n);
      if (lag === 0 && inFlight === 0)
        return { done: true, seconds: Math.round((Date.now() - began) / 1000), lag };
      if (Date.now() - began > SETTLE_MS) {
        log(
          `not settled after ${SETTLE_MS / 1000} s: lag ${lag}, ${inFlight} deliveries in flight or due`,
        );
        return { done: false, seconds: Math.round((Date.now() - began) / 1000), lag };
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
  } finally {
    await admin.disconnect();
    await pg.end();
  }
}

function summary(report: Record<string, unknown>, failures: string[]): string {
  const keys = [
    'faults',
    'faultKinds',
    'lostInputs',
    'duplicateSends',
    'duplicateMessagesPerIntent',
    'validInputsDeadLettered',
    'invalidNotDeadLettered',
    'invalidAcceptedOverHttp',
    'maxRecoverySeconds',
    'settleSeconds',
    'seconds',
  ];
  const lines = [
    `chaos run ${String(report.run)} (${String(report.reproduce)})`,
    ...keys.map((k) => `  ${k.padEnd(28)} ${JSON.stringify(report[k])}`),
    `  ${'inputs'.padEnd(28)} ${JSON.stringify(report.inputs)}`,
    `  ${'outcomes'.padEnd(28)} ${JSON.stringify(report.outcomes)}`,
    `  ${'faultsByKind'.padEnd(28)} ${JSON.stringify(report.faultsByKind)}`,
    failures.length > 0 ? `FAILED: ${failures.join(', ')}` : 'passed: every invariant held',
  ];
  return `${lines.join('\n')}\n`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`chaos run aborted: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    log(`logs in ${runDir}; reproduce with: ${reproduce}`);
    writeFileSync(resolve(runDir, 'reproduce.txt'), `${reproduce}\n`);
    process.exit(1);
  },
);
