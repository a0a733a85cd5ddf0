import { Client } from 'pg';
import { PROFILE_UPDATED, Topics } from '@onevoice/contracts';
import {
  daytimeZone,
  dispatcherDeliveries,
  gateDecision,
  produceRaw,
  Story,
  testStack,
} from '@onevoice/testing';

/**
 * A customer's refusal wins over what was already approved: a text held for the morning by quiet
 * hours is not sent when the customer texted STOP in the night. The dispatcher checks the latest
 * profile it read at the moment it would call the provider (rule 1 at send time).
 */
describe('refused after approval', () => {
  const stack = testStack();
  const simulator = () => stack.services['provider-simulator'];

  it('STOP in the night: the bill held for the morning by SMS is not sent', async () => {
    const story = await Story.begin(stack, 'stop-at-night');
    try {
      // A text approved for the morning, as the gate publishes it. The coordinator never saw
      // its request, so it does not decide it again on the STOP (refusal-redecides.spec shows
      // that path): what stops it here is the dispatcher's own check when it comes due.
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'sms' });
      const morning = new Date(story.now().getTime() + 6 * 3_600_000);
      const approved = gateDecision(story.customerId, {
        channel: 'sms',
        sendAfter: morning.toISOString(),
        reasons: [{ rule: 'quiet-hours', code: 'quiet_hours', text: 'Made by the test.' }],
      });
      await produceRaw(stack, Topics.decisions, [
        { key: story.customerId, value: JSON.stringify(approved.event) },
      ]);
      const scheduled = await story.waitFor('the text scheduled for the morning', () =>
        story
          .deliveries()
          .find((d) => d.data.decisionId === approved.decisionId && d.data.state === 'scheduled'),
      );

      // The customer texts STOP; the dispatcher has read the opt-out once it keeps it.
      const reply = await fetch(`${simulator()}/control/reply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: story.customerId, text: 'Stop.' }),
      });
      expect(reply.status).toBe(202);
      await story.waitFor('the dispatcher to keep the opt-out', () =>
        keptOptOuts(story.customerId),
      );

      // Morning: the text comes due and is called off, saying why; the provider never sees it.
      await story.advanceTo(morning);
      const cancelled = await story.waitFor('the held text called off', () =>
        story
          .deliveries()
          .find(
            (d) => d.data.deliveryId === scheduled.data.deliveryId && d.data.state === 'cancelled',
          ),
      );
      expect(cancelled.data.detail).toBe(
        'not sent: the customer opted out of sms after it was approved',
      );
      expect(story.received().map((r) => r.intentType)).toEqual(['sms.stop_reply']);
      const rows = await dispatcherDeliveries(stack, story.customerId);
      expect(rows).toEqual([
        { channel: 'sms', state: 'cancelled' },
        { channel: 'sms', state: expect.stringMatching(/^(sent|delivered)$/) },
      ]);
      const attempts = (
        (await (await fetch(`${simulator()}/control`)).json()) as {
          attempts: { idempotencyKey?: string }[];
        }
      ).attempts.filter((a) => a.idempotencyKey === scheduled.data.deliveryId);
      expect(attempts).toEqual([]);
    } finally {
      await story.end();
    }
  });

  it('a text that fails falls back past a channel the customer refused since, to the next', async () => {
    const story = await Story.begin(stack, 'fallback-refused');
    try {
      // They refused calls after the decision was made (the decision still names voice).
      await story.profile({ timeZone: daytimeZone(), optOuts: [{ channel: 'voice' }] });
      await story.waitFor('the dispatcher to keep the opt-out', () =>
        keptOptOuts(story.customerId),
      );
      const until = new Date(story.now().getTime() + 86_400_000).toISOString();
      const always = [{ start: '00:00', end: '00:00' }];
      const approved = gateDecision(story.customerId, {
        channel: 'sms',
        fallback: {
          timeZone: 'UTC',
          until,
          channels: [
            { channel: 'voice', quietHours: always },
            { channel: 'push', quietHours: always },
          ],
        },
      });
      // The number is dead: the provider takes the text, then reports it failed.
      const chaos = await fetch(`${simulator()}/control`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ undeliverableNext: 1 }),
      });
      expect(chaos.status).toBe(200);
      await produceRaw(stack, Topics.decisions, [
        { key: story.customerId, value: JSON.stringify(approved.event) },
      ]);
      const push = await story.waitFor('the fallback by push', () =>
        story.deliveries().find((d) => d.data.channel === 'push' && d.data.state === 'scheduled'),
      );
      expect(push.data.detail).toMatch(/falls back from sms/);
      expect(story.deliveries().filter((d) => d.data.channel === 'voice')).toEqual([]);
    } finally {
      await story.end();
    }
  });

  it('the answer to STOP confirms it only once recorded: a STOP never recorded is not confirmed', async () => {
    const story = await Story.begin(stack, 'stop-unrecorded');
    try {
      // The dispatcher has read a profile newer than any the STOP will make: as far as it can
      // tell, the opt-out is never recorded.
      await produceRaw(stack, Topics.profiles, [
        {
          key: story.customerId,
          value: JSON.stringify({
            specversion: '1.0',
            id: `profile-${story.customerId}`,
            source: 'onevoice/behaviour-profiler',
            type: PROFILE_UPDATED,
            subject: story.customerId,
            time: story.now().toISOString(),
            datacontenttype: 'application/json',
            data: { customerId: story.customerId, version: 1_000_000, optOuts: [] },
          }),
        },
      ]);
      await story.waitFor('the dispatcher to keep that profile', () =>
        keptVersion(story.customerId),
      );
      await fetch(`${simulator()}/control/reply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: story.customerId, text: 'STOP' }),
      });
      const waiting = await story.waitFor('the answer held until the STOP is recorded', () =>
        story.deliveries().find((d) => d.data.intentType === 'sms.stop_reply'),
      );
      expect(waiting.data).toMatchObject({
        state: 'scheduled',
        detail: "answers the customer's STOP once it is recorded",
      });
      // Past its deadline: not sent, saying why.
      await story.advance(11 * 60_000);
      const cancelled = await story.waitFor('the answer called off', () =>
        story
          .deliveries()
          .find((d) => d.data.intentType === 'sms.stop_reply' && d.data.state === 'cancelled'),
      );
      expect(cancelled.data.detail).toBe(
        "not sent: the customer's STOP was not recorded in time to confirm it",
      );
      expect(story.received()).toEqual([]);
    } finally {
      await story.end();
    }
  });

  it('do-not-disturb asked for after approval: a message due now waits until it ends', async () => {
    const story = await Story.begin(stack, 'dnd-at-send');
    try {
      const until = new Date(story.now().getTime() + 2 * 3_600_000);
      await story.profile({ timeZone: daytimeZone(), doNotDisturbUntil: until.toISOString() });
      await story.waitFor('the dispatcher to keep the do-not-disturb', async () => {
        const db = new Client({ connectionString: stack.databaseUrl });
        await db.connect();
        try {
          const { rows } = await db.query<{ dnd_until: Date | null }>(
            'SELECT dnd_until FROM dispatcher.refusals WHERE customer_id = $1',
            [story.customerId],
          );
          return rows[0]?.dnd_until ? true : undefined;
        } finally {
          await db.end();
        }
      });
      // Approved before the customer asked (the gate never saw the change), due now.
      const approved = gateDecision(story.customerId, { channel: 'sms' });
      await produceRaw(stack, Topics.decisions, [
        { key: story.customerId, value: JSON.stringify(approved.event) },
      ]);
      const held = await story.waitFor('the text held', () =>
        story
          .deliveries()
          .find(
            (d) => d.data.decisionId === approved.decisionId && d.data.detail?.startsWith('held'),
          ),
      );
      expect(held.data).toMatchObject({
        state: 'scheduled',
        detail: `held: the customer asked not to be disturbed until ${until.toISOString()}`,
      });
      expect(story.received()).toEqual([]);
      // When it ends, the text goes, once.
      await story.advanceTo(new Date(until.getTime() + 1_000));
      await story.sentFor(approved.event.data.requestId);
      expect(story.received().map((r) => r.channel)).toEqual(['sms']);
    } finally {
      await story.end();
    }
  });

  /** The profile version the dispatcher keeps for a customer, once it keeps one. */
  async function keptVersion(customerId: string): Promise<number | undefined> {
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ version: string }>(
        'SELECT version FROM dispatcher.refusals WHERE customer_id = $1',
        [customerId],
      );
      return rows[0] ? Number(rows[0].version) : undefined;
    } finally {
      await db.end();
    }
  }

  /** The opt-outs the dispatcher keeps for a customer, once it has any. */
  async function keptOptOuts(customerId: string): Promise<unknown[] | undefined> {
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ opt_outs: unknown[] }>(
        'SELECT opt_outs FROM dispatcher.refusals WHERE customer_id = $1',
        [customerId],
      );
      return rows[0] && rows[0].opt_outs.length > 0 ? rows[0].opt_outs : undefined;
    } finally {
      await db.end();
    }
  }
});
