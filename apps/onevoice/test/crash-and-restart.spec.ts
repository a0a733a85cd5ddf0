import {
  paymentDue,
  freePort,
  LOCAL_DIR,
  postEvents,
  STAFF,
  startServiceProcess,
  testStack,
  waitFor,
  type ServiceProcess,
} from '@onevoice/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';

/**
 * OneVoice embedded, killed (SIGKILL) in the middle of a batch — the coordinator's decisions
 * committed, the decisions not yet published nor the batch's offset committed — then started again
 * on the same data: every request is decided once and delivered once; nothing is lost, nothing
 * done twice.
 */
describe('OneVoice embedded, killed mid-batch and started again', () => {
  const stack = testStack();
  const dataDir = resolve(LOCAL_DIR, `test-embedded-crash-${process.pid}`);
  const customers = Array.from({ length: 60 }, (_, i) => `crash-${i}-${randomUUID().slice(0, 6)}`);
  let onevoice: ServiceProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    env = {
      OV_DATA_DIR: dataDir,
      OV_EMBEDDED_DB_PORT: String(await freePort()),
      PORT: String(await freePort()),
      // Mid-morning on a fixed day: nothing waits for the end of anyone's quiet hours.
      OV_CLOCK: 'manual',
      OV_CLOCK_START: '2026-06-02T10:00:00Z',
      OV_STAFF_TOKENS: stack.serviceEnv.OV_STAFF_TOKENS!,
      OV_SIGNING_KEY: stack.serviceEnv.OV_SIGNING_KEY!,
    };
  });
  afterAll(async () => {
    await onevoice?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const count = async (sql: string): Promise<number> => {
    const db = new Client({
      connectionString: `postgres://postgres@127.0.0.1:${env.OV_EMBEDDED_DB_PORT}/postgres`,
    });
    await db.connect();
    try {
      return Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
    } finally {
      await db.end();
    }
  };

  it('decides and delivers every request exactly once', async () => {
    const first = await startServiceProcess(
      'onevoice',
      // The coordinator dies after committing its second batch of contact requests.
      { ...env, OV_FAILPOINT: 'after-commit:ov.contact-requests.v1:2' },
      { logSuffix: '-crash-1' },
    );
    const died = new Promise<string | null>((done) =>
      first.child.once('exit', (_code, signal) => done(signal)),
    );
    const events = customers.map((customer) => paymentDue(customer));
    const accepted = await postEvents(first.url, events, { token: 'dev-billing' });
    expect(accepted.status).toBe(202);
    // The barrier: the process is gone, killed at the failpoint (not by anything else).
    expect(await died).toBe('SIGKILL');
    expect(readFileSync(first.logFile, 'utf8')).toContain(
      'failpoint after-commit:ov.contact-requests.v1 hit 2 time(s)',
    );

    onevoice = await startServiceProcess('onevoice', env, { logSuffix: '-crash-2' });
    // Done: every consumer group has read every partition of its topics to the end.
    await waitFor(
      'every consumer group to catch up with the log',
      async () => {
        const log = (await (
          await fetch(`${onevoice!.url}/v1/log`, { headers: { authorization: STAFF.ops } })
        ).json()) as {
          ends: Record<string, string[]>;
          groups: Record<string, Record<string, string>>;
        };
        const ready = (await (await fetch(`${onevoice!.url}/health/ready`)).json()) as {
          services: Record<
            string,
            { checks: { log: { detail: { assignment: Record<string, number[]> } } } }
          >;
        };
        for (const [service, { checks }] of Object.entries(ready.services)) {
          const committed = log.groups[`onevoice-${service}`] ?? {};
          for (const [topic, partitions] of Object.entries(checks.log.detail.assignment))
            for (const p of partitions)
              if ((committed[`${topic}/${p}`] ?? '0') !== log.ends[topic]![p]) return undefined;
        }
        return (await count('SELECT count(*) AS n FROM dispatcher.deliveries')) >= customers.length
          ? true
          : undefined;
      },
      { timeoutMs: 60_000 },
    );

    const ids = customers.map((c) => `'${c}'`).join(',');
    expect(
      await count(
        `SELECT count(*) AS n FROM coordinator.decision_log WHERE customer_id IN (${ids})`,
      ),
    ).toBe(customers.length);
    expect(
      await count(
        `SELECT count(DISTINCT customer_id) AS n FROM coordinator.decision_log WHERE customer_id IN (${ids})`,
      ),
    ).toBe(customers.length);
    expect(
      await count(`SELECT count(*) AS n FROM dispatcher.deliveries WHERE customer_id IN (${ids})`),
    ).toBe(customers.length);
    expect(
      await count(
        `SELECT count(DISTINCT customer_id) AS n FROM dispatcher.deliveries WHERE customer_id IN (${ids})`,
      ),
    ).toBe(customers.length);
  });
});
