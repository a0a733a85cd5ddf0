import { deliveryEventType, Topics } from '@onevoice/contracts';
import {
  approvedDecision,
  isolatedServiceEnv,
  newCustomerId,
  produceRaw,
  startServiceProcess,
  testStack,
  TopicTap,
  waitFor,
} from '@onevoice/testing';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/**
 * The dispatcher is killed after it announced a batch it sent ("sent" events on the topic) and
 * before it recorded the batch sent, then restarted. The claims it left are recovered: each
 * delivery reaches the customer once (the provider dedupes the key), ends `sent`, and every
 * announcement of it is the same event.
 */
describe('crash: the dispatcher killed between announcing a batch and recording it', () => {
  const stack = testStack();

  it('sends each message once and announces it under one event id', async () => {
    const isolated = await isolatedServiceEnv(stack, 'dispatcher-announce', Topics.decisions, {
      OV_KAFKA_SESSION_TIMEOUT_MS: '8000',
    });
    const env = isolated.env;
    const provider = await startServiceProcess(
      'provider-simulator',
      {},
      { logSuffix: '-announce' },
    );
    env.OV_PROVIDER_URL = provider.url;
    const pg = new Client({ connectionString: isolated.databaseUrl });
    const tap = await TopicTap.open(stack.brokers, [Topics.deliveries]);
    try {
      const doomed = await startServiceProcess(
        'dispatcher',
        { ...env, OV_FAILPOINT: 'dispatcher:announced:1' },
        { logSuffix: '-announce' },
      );
      const decisions = Array.from({ length: 4 }, () =>
        approvedDecision(newCustomerId('dispatch-announce'), {
          channel: 'sms',
          intentType: 'billing.payment_due',
          category: 'billing',
          urgency: 'high',
          variables: { amount: '7.00 EUR', dueDate: '2026-12-24' },
          action: { url: 'https://pay.example.test/a' },
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
      expect(readFileSync(doomed.logFile, 'utf8')).toContain('failpoint dispatcher:announced');

      await pg.connect();
      const states = async () =>
        (await pg.query('SELECT delivery_id, decision_id, state FROM dispatcher.deliveries'))
          .rows as { delivery_id: string; decision_id: string; state: string }[];
      // Announced but never recorded: still claimed.
      expect((await states()).some((r) => r.state === 'sending')).toBe(true);
      const sentEvents = () =>
        tap
          .events<{ id: string; type: string; data: { deliveryId: string } }>(Topics.deliveries)
          .filter((e) => e.type === deliveryEventType('sent'));
      const announcedBeforeRestart = sentEvents().length;
      expect(announcedBeforeRestart).toBeGreaterThan(0);

      const revived = await startServiceProcess('dispatcher', env, {
        logSuffix: '-announce-revived',
      });
      try {
        const rows = await waitFor(
          'every delivery recorded sent',
          async () => {
            const all = await states();
            const mine = all.filter((r) =>
              decisions.some((d) => d.data.decisionId === r.decision_id),
            );
            return mine.length === decisions.length && mine.every((r) => r.state === 'sent')
              ? mine
              : undefined;
          },
          { timeoutMs: 60_000 },
        );
        const attempts = (
          (await (await fetch(`${provider.url}/control`)).json()) as {
            attempts: { idempotencyKey?: string; outcome: string }[];
          }
        ).attempts;
        for (const { delivery_id } of rows) {
          // One message reached the customer; a second call, if any, was the same key.
          const accepted = attempts.filter(
            (a) => a.idempotencyKey === delivery_id && a.outcome === 'accepted',
          );
          expect({ delivery_id, accepted: accepted.length }).toEqual({ delivery_id, accepted: 1 });
          // Every announcement of it (before the crash and after) is one event.
          await waitFor(`"sent" of ${delivery_id} announced`, () =>
            sentEvents().some((e) => e.data.deliveryId === delivery_id) ? true : undefined,
          );
          const ids = new Set(
            sentEvents()
              .filter((e) => e.data.deliveryId === delivery_id)
              .map((e) => e.id),
          );
          expect([...ids]).toEqual([`${delivery_id}:sent`]);
        }
      } finally {
        expect(await revived.stop()).toBe(0);
      }
    } finally {
      await tap.close();
      await pg.end().catch(() => undefined);
      await provider.stop();
      await isolated.drop();
    }
  });
});
