import { Topics } from '@onevoice/contracts';
import {
  approvedDecision,
  newCustomerId,
  produceRaw,
  isolatedServiceEnv,
  startServiceProcess,
  testStack,
  waitFor,
} from '@onevoice/testing';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/**
 * The dispatcher is killed after it recorded and claimed a delivery, before it called the
 * provider, and restarted: every decision gets exactly one provider call.
 */
describe('crash: the dispatcher killed between recording and sending', () => {
  const stack = testStack();

  it('gives exactly one provider call per decision across the crash', async () => {
    // A dispatcher of its own (group and database), so the shared one does not take its work.
    const isolated = await isolatedServiceEnv(stack, 'dispatcher-crash', Topics.decisions, {
      OV_KAFKA_SESSION_TIMEOUT_MS: '8000',
    });
    const env = isolated.env;
    // A provider of its own too: the shared dispatcher also sees these decisions and calls the
    // shared simulator; only this dispatcher's calls count here.
    const provider = await startServiceProcess('provider-simulator', {}, { logSuffix: '-crash' });
    env.OV_PROVIDER_URL = provider.url;
    const pg = new Client({ connectionString: isolated.databaseUrl });
    try {
      const doomed = await startServiceProcess(
        'dispatcher',
        { ...env, OV_FAILPOINT: 'dispatcher:claimed:2' },
        { logSuffix: '-crash' },
      );
      const decisions = Array.from({ length: 6 }, () =>
        approvedDecision(newCustomerId('dispatch-crash'), {
          channel: 'sms',
          intentType: 'billing.payment_due',
          category: 'billing',
          urgency: 'high',
          variables: { amount: '5.00 EUR', dueDate: '2026-12-24' },
          action: { url: 'https://pay.example.test/c' },
        }),
      );
      await produceRaw(
        stack.brokers,
        Topics.decisions,
        decisions.map((d) => ({ key: d.subject, value: JSON.stringify(d) })),
      );
      await waitFor('the dispatcher to crash at the failpoint', () =>
        doomed.child.exitCode !== null || doomed.child.signalCode !== null ? true : undefined,
      );
      expect(doomed.child.signalCode).toBe('SIGKILL');
      expect(readFileSync(doomed.logFile, 'utf8')).toContain('failpoint dispatcher:claimed');

      await pg.connect();
      const states = async () =>
        (await pg.query('SELECT delivery_id, state FROM dispatcher.deliveries')).rows as {
          delivery_id: string;
          state: string;
        }[];
      // Recorded before the crash, one of them claimed and never sent.
      expect((await states()).some((r) => r.state === 'sending')).toBe(true);

      const revived = await startServiceProcess('dispatcher', env, { logSuffix: '-revived' });
      try {
        await waitFor(
          'every delivery sent',
          async () => {
            const rows = await states();
            return rows.length === decisions.length && rows.every((r) => r.state === 'sent')
              ? rows
              : undefined;
          },
          { timeoutMs: 60_000 },
        );
        const attempts = (
          (await (await fetch(`${provider.url}/control`)).json()) as {
            attempts: { idempotencyKey?: string; outcome: string }[];
          }
        ).attempts;
        for (const { delivery_id } of await states()) {
          const calls = attempts.filter(
            (a) => a.idempotencyKey === delivery_id && a.outcome === 'accepted',
          );
          const repeats = attempts.filter(
            (a) => a.idempotencyKey === delivery_id && a.outcome === 'duplicate',
          );
          expect({ delivery_id, calls: calls.length, repeats: repeats.length }).toEqual({
            delivery_id,
            calls: 1,
            repeats: 0,
          });
        }
      } finally {
        expect(await revived.stop()).toBe(0);
      }
    } finally {
      await pg.end().catch(() => undefined);
      await provider.stop();
      await isolated.drop();
    }
  });
});
