import { Topics } from '@onevoice/contracts';
import {
  newCustomerId,
  paymentDue,
  produceRaw,
  isolatedServiceEnv,
  startServiceProcess,
  testStack,
  TopicTap,
  waitFor,
} from '@onevoice/testing';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/**
 * The coordinator is killed in the middle of its work — after a batch's decisions are committed,
 * before they are published and before the batch's offsets are committed — and restarted. No
 * request gets two decisions, and none gets none.
 */
describe('redelivery: the coordinator killed between its commit and its offsets', () => {
  const stack = testStack();

  it('decides every request exactly once across the crash', async () => {
    // A coordinator of its own (group and database), so the shared one does not take its work;
    // its group starts at the end of the contact requests.
    const isolated = await isolatedServiceEnv(stack, 'coordinator-crash', Topics.contactRequests, {
      // The crashed instance never says goodbye; the group notices after this long.
      OV_KAFKA_SESSION_TIMEOUT_MS: '8000',
    });
    const env = isolated.env;
    const pg = new Client({ connectionString: isolated.databaseUrl });
    const tap = await TopicTap.open(stack, [Topics.decisions]);
    try {
      const doomed = await startServiceProcess(
        'coordinator',
        { ...env, OV_FAILPOINT: `after-commit:${Topics.contactRequests}:1` },
        { logSuffix: '-crash' },
      );
      const requests = Array.from({ length: 40 }, () => paymentDue(newCustomerId('crash')));
      // Routed contact requests, as ingest would publish them: one produce, so batches are full.
      await produceRaw(
        stack,
        Topics.contactRequests,
        requests.map((r) => ({ key: r.subject, value: JSON.stringify(r) })),
      );

      await waitFor('the coordinator to crash at the failpoint', () =>
        doomed.child.exitCode !== null || doomed.child.signalCode !== null ? true : undefined,
      );
      expect(doomed.child.signalCode).toBe('SIGKILL');
      expect(readFileSync(doomed.logFile, 'utf8')).toContain('failpoint after-commit');

      await pg.connect();
      const decided = async () =>
        Number((await pg.query('SELECT count(*) AS n FROM coordinator.decision_log')).rows[0].n);
      const committed = await decided();
      // The crash came after a commit, in the middle of the work.
      expect(committed).toBeGreaterThan(0);
      expect(committed).toBeLessThan(requests.length);

      const revived = await startServiceProcess('coordinator', env, { logSuffix: '-revived' });
      try {
        await waitFor('a decision for every request', async () =>
          (await decided()) >= requests.length ? true : undefined,
        );
        // Exactly one decision per request, none missing.
        const perRequest = (
          await pg.query(
            'SELECT request_key, count(*) AS n FROM coordinator.decision_log GROUP BY request_key',
          )
        ).rows as { request_key: string; n: string }[];
        expect(perRequest.map((r) => r.request_key).sort()).toEqual(
          requests.map((r) => `billing/${r.id}`).sort(),
        );
        expect(perRequest.every((r) => Number(r.n) === 1)).toBe(true);
        // The batch that was committed but never published was published after the restart,
        // from what the ledger recorded, not decided again.
        await waitFor('the redelivered batch re-published', () =>
          readFileSync(revived.logFile, 'utf8').includes(
            're-publishing what redelivered messages caused',
          )
            ? true
            : undefined,
        );
        // Every decision is on the topic — those of the batch that was never published too —
        // and each decision was logged by the processing of its own request.
        const logged = (
          await pg.query(
            'SELECT decision_id, request_key, cause FROM coordinator.decision_log ORDER BY decision_id',
          )
        ).rows as { decision_id: string; request_key: string; cause: string }[];
        expect(logged.every((d) => d.cause === d.request_key)).toBe(true);
        await waitFor('every decision published', () => {
          const published = new Set(tap.events(Topics.decisions).map((e) => e.id));
          return logged.every((d) => published.has(d.decision_id)) ? true : undefined;
        });
      } finally {
        expect(await revived.stop()).toBe(0);
      }
    } finally {
      await tap.close();
      await pg.end().catch(() => undefined);
      await isolated.drop();
    }
  });
});
