import { Topics } from '@onevoice/contracts';
import {
  daytimeZone,
  departmentEvent,
  newCustomerId,
  produceRaw,
  STAFF,
  Story,
  testStack,
  TopicTap,
  waitFor,
} from '@onevoice/testing';
import { Client } from 'pg';

/**
 * Erasure: `DELETE /v1/customers/{id}` erases the customer everywhere — every service acts on one
 * `customer.erased` and confirms; `GET /v1/erasures/{id}` says when all have. What proves consent
 * is kept in minimal form, under a keyed hash of the id; the profile gets a tombstone.
 */
describe('erasing a customer', () => {
  const stack = testStack();
  const profiler = () => stack.services['behaviour-profiler'];
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.profiles, Topics.erasures]);
  });
  afterAll(() => tap.close());

  /** How many rows of each table still name the customer, in every service's schema. */
  async function rowsNaming(customerId: string): Promise<Record<string, number>> {
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const tables = [
        'behaviour_profiler.customers',
        'behaviour_profiler.consent_ledger',
        'coordinator.requests',
        'coordinator.decision_log',
        'coordinator.timeline',
        'coordinator.profiles',
        'coordinator.ledger_versions',
        'dispatcher.deliveries',
        'dispatcher.refusals',
        'survey_throttler.contacts',
      ];
      const counts: Record<string, number> = {};
      for (const t of tables) {
        const r = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${t} WHERE customer_id = $1`,
          [customerId],
        );
        counts[t] = Number(r.rows[0]!.n);
      }
      for (const schema of ['ingest', 'behaviour_profiler', 'coordinator', 'survey_throttler']) {
        const r = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${schema}.processed_messages
            WHERE outputs @> jsonb_build_array(jsonb_build_object('key', $1::text))`,
          [customerId],
        );
        counts[`${schema}.processed_messages`] = Number(r.rows[0]!.n);
      }
      return counts;
    } finally {
      await db.end();
    }
  }

  it('erases them from every service, keeps the proof of consent under a keyed hash, and says when it is done', async () => {
    const story = await Story.begin(stack, 'erase');
    try {
      await story.profile({
        timeZone: daytimeZone(),
        preferredChannel: 'email',
        consents: [{ channel: 'sms', purpose: 'promotion', wordingVersion: 'promo-sms-v3' }],
      });
      const bill = await story.send('billing', 'billing.payment_due', {
        intentKey: `bill:${story.customerId}`,
        variables: { amount: '12.00 EUR', dueDate: '2026-12-21' },
        action: { url: 'https://pay.example.test/e' },
      });
      await story.sentFor(bill);
      const before = await rowsNaming(story.customerId);
      expect(before['coordinator.requests']).toBeGreaterThan(0);
      expect(before['dispatcher.deliveries']).toBeGreaterThan(0);
      expect(before['behaviour_profiler.consent_ledger']).toBeGreaterThan(0);

      const res = await fetch(
        `${profiler()}/v1/customers/${encodeURIComponent(story.customerId)}`,
        { method: 'DELETE', headers: { authorization: STAFF.ana } },
      );
      expect(res.status).toBe(202);
      const asked = (await res.json()) as { erasureId: string; requestedBy: string; done: boolean };
      expect(res.headers.get('location')).toBe(`/v1/erasures/${asked.erasureId}`);
      expect(asked).toMatchObject({ requestedBy: 'ana', done: false });

      // Every service confirms: the status says when each did.
      const status = await waitFor('every service to confirm the erasure', async () => {
        const r = await fetch(`${profiler()}${res.headers.get('location')}`, {
          headers: { authorization: STAFF.ops },
        });
        const body = (await r.json()) as { done: boolean; services: Record<string, string> };
        return body.done ? body : undefined;
      });
      expect(Object.keys(status.services).sort()).toEqual([
        'behaviour-profiler',
        'coordinator',
        'dispatcher',
        'ingest',
        'survey-throttler',
      ]);

      // Nothing names the customer any more.
      const after = await rowsNaming(story.customerId);
      expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
      const timeline = await story.timeline();
      expect(timeline).toEqual([]);

      // The proof of consent stays, under a keyed hash: what, when, through what, the wording.
      const db = new Client({ connectionString: stack.databaseUrl });
      await db.connect();
      try {
        const kept = await db.query<{
          customer_id: string;
          action: string;
          wording_version: string | null;
        }>(
          `SELECT customer_id, action, wording_version FROM behaviour_profiler.consent_ledger
            WHERE customer_id LIKE 'erased:%' AND wording_version = 'promo-sms-v3'`,
        );
        expect(kept.rows).toEqual([
          expect.objectContaining({ action: 'consent_given', wording_version: 'promo-sms-v3' }),
        ]);
        expect(kept.rows[0]!.customer_id).not.toContain(story.customerId);
      } finally {
        await db.end();
      }

      // The compacted profiles topic forgets them: a tombstone under their key.
      await tap.waitForMessages(
        'the profile’s tombstone',
        (m) => m.topic === Topics.profiles && m.key === story.customerId && m.value === null,
      );

      // An event about them still in flight is skipped, not turned into new records. Behind it,
      // in the same partition, one about someone else: once that one is handled, so was it.
      const marker = newCustomerId('after-erasure');
      const contact = (subject: string) =>
        JSON.stringify(
          departmentEvent({
            source: 'care',
            type: 'interaction.inbound_contact',
            subject,
            data: { channel: 'email', reason: 'question' },
          }),
        );
      await produceRaw(stack, Topics.interactions, [
        { key: story.customerId, value: contact(story.customerId), partition: 0 },
        { key: marker, value: contact(marker), partition: 0 },
      ]);
      await waitFor('the profiler and the coordinator to take the later contact', async () => {
        const counts = await rowsNaming(marker);
        return counts['behaviour_profiler.customers']! > 0 && counts['coordinator.timeline']! > 0
          ? true
          : undefined;
      });
      expect(Object.entries(await rowsNaming(story.customerId)).filter(([, n]) => n > 0)).toEqual(
        [],
      );
    } finally {
      await story.end();
    }
  });

  it('past their retention, deliveries forget what they said and decisions their variables', async () => {
    const story = await Story.begin(stack, 'retention');
    try {
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'email' });
      const notice = await story.send('care', 'account.change_notice', {
        intentKey: `notice:${story.customerId}`,
        variables: { change: 'Your plan moves to the Blue tariff' },
        action: { url: 'https://account.example.test/blue' },
      });
      await story.sentFor(notice);
      const said = async () => {
        const db = new Client({ connectionString: stack.databaseUrl });
        await db.connect();
        try {
          const d = await db.query<{ body: string }>(
            'SELECT body FROM dispatcher.deliveries WHERE customer_id = $1',
            [story.customerId],
          );
          const e = await db.query<{ variables: unknown; outcome: string }>(
            `SELECT event->'data'->'variables' AS variables, outcome FROM coordinator.decision_log WHERE customer_id = $1`,
            [story.customerId],
          );
          return { bodies: d.rows.map((r) => r.body), variables: e.rows.map((r) => r.variables) };
        } finally {
          await db.end();
        }
      };
      const fresh = await said();
      expect(fresh.bodies[0]).toContain('Blue tariff');
      expect(fresh.variables[0]).toEqual({ change: 'Your plan moves to the Blue tariff' });

      // 31 days on: the delivery's words are gone (30 days), the decision keeps its variables (90).
      await story.advance(31 * 86_400_000);
      await story.waitFor('the delivery’s words pruned', async () =>
        (await said()).bodies.every((b) => b === '') ? true : undefined,
      );
      expect((await said()).variables[0]).toEqual({ change: 'Your plan moves to the Blue tariff' });
      // 91 days on: the decision's variables are gone too; the timeline still says what happened.
      await story.advance(60 * 86_400_000);
      await story.waitFor('the decision’s variables pruned', async () =>
        (await said()).variables.every((v) => v === null) ? true : undefined,
      );
      const timeline = await story.timeline();
      expect(
        timeline.some((e) => e.kind === 'decision' && /approved by email/.test(e.summary)),
      ).toBe(true);
    } finally {
      await story.end();
    }
  });

  it('is for staff only, names a bad customer id, and a status it does not know is a 404', async () => {
    const anonymous = await fetch(`${profiler()}/v1/customers/someone`, { method: 'DELETE' });
    expect(anonymous.status).toBe(401);
    const bad = await fetch(`${profiler()}/v1/customers/${encodeURIComponent('a b')}`, {
      method: 'DELETE',
      headers: { authorization: STAFF.ops },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'customerId' });
    const unknown = await fetch(`${profiler()}/v1/erasures/no-such-erasure`, {
      headers: { authorization: STAFF.ops },
    });
    expect(unknown.status).toBe(404);
  });
});
