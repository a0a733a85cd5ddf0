import { Topics } from '@onevoice/contracts';
import {
  approvedDecision,
  isolatedServiceEnv,
  newCustomerId,
  produceRaw,
  startServiceProcess,
  waitFor,
  type TestStack,
} from '@onevoice/testing';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';

export interface DeliveryState {
  delivery_id: string;
  decision_id: string;
  state: string;
}

/** A dispatcher killed at a failpoint while delivering SMS decisions, and what it left behind. */
export interface CrashScene {
  decisions: ReturnType<typeof approvedDecision>[];
  /** The deliveries its database holds (its own database: only these decisions'). */
  states(): Promise<DeliveryState[]>;
  /** The provider simulator's calls, each with its idempotency key and outcome. */
  providerAttempts(): Promise<{ idempotencyKey?: string; outcome: string }[]>;
  /**
   * Restarts the dispatcher, waits until every decision's delivery is recorded sent, runs
   * `check` on those rows, and stops it cleanly.
   */
  revive(check: (rows: DeliveryState[]) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/**
 * What the crash specs share: a dispatcher of its own (consumer group from the topic's end,
 * database, provider simulator — the shared stack's dispatcher also sees these decisions and
 * calls the shared simulator; only this one's calls count), started with
 * `OV_FAILPOINT=<failpoint>:<hit>`, given `count` approved SMS decisions, and killed there.
 */
export async function crashDispatcher(
  stack: TestStack,
  label: string,
  failpoint: string,
  hit: number,
  count: number,
): Promise<CrashScene> {
  const isolated = await isolatedServiceEnv(stack, `dispatcher-${label}`, Topics.decisions, {
    // The crashed instance never says goodbye; the group notices after this long.
    OV_KAFKA_SESSION_TIMEOUT_MS: '8000',
  });
  const provider = await startServiceProcess('provider-simulator', {}, { logSuffix: `-${label}` });
  const env = { ...isolated.env, OV_PROVIDER_URL: provider.url };
  const pg = new Client({ connectionString: isolated.databaseUrl });
  const close = async () => {
    await pg.end().catch(() => undefined);
    await provider.stop();
    await isolated.drop();
  };
  try {
    const doomed = await startServiceProcess(
      'dispatcher',
      { ...env, OV_FAILPOINT: `${failpoint}:${hit}` },
      { logSuffix: `-${label}` },
    );
    const decisions = Array.from({ length: count }, () =>
      approvedDecision(newCustomerId(`dispatch-${label}`), {
        channel: 'sms',
        intentType: 'billing.payment_due',
        category: 'billing',
        urgency: 'high',
        variables: { amount: '5.00 EUR', dueDate: '2026-12-24' },
        action: { url: `https://pay.example.test/${label}` },
      }),
    );
    await produceRaw(
      stack,
      Topics.decisions,
      decisions.map((d) => ({ key: d.subject, value: JSON.stringify(d) })),
    );
    await waitFor('the dispatcher to crash at the failpoint', () =>
      doomed.child.exitCode !== null || doomed.child.signalCode !== null ? true : undefined,
    );
    expect(doomed.child.signalCode).toBe('SIGKILL');
    expect(readFileSync(doomed.logFile, 'utf8')).toContain(`failpoint ${failpoint}`);
    await pg.connect();

    const states = async () =>
      (await pg.query('SELECT delivery_id, decision_id, state FROM dispatcher.deliveries'))
        .rows as DeliveryState[];
    return {
      decisions,
      states,
      async providerAttempts() {
        return (
          (await (await fetch(`${provider.url}/control`)).json()) as {
            attempts: { idempotencyKey?: string; outcome: string }[];
          }
        ).attempts;
      },
      async revive(check) {
        const revived = await startServiceProcess('dispatcher', env, {
          logSuffix: `-${label}-revived`,
        });
        try {
          const rows = await waitFor(
            'every delivery recorded sent',
            async () => {
              const all = await states();
              return all.length === decisions.length && all.every((r) => r.state === 'sent')
                ? all
                : undefined;
            },
            { timeoutMs: 60_000 },
          );
          await check(rows);
        } finally {
          expect(await revived.stop()).toBe(0);
        }
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
