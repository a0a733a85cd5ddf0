import { DeadLetterHeaders, Topics } from '@onevoice/contracts';
import {
  advanceStackClock,
  gateDecision as decision,
  newCustomerId,
  produceRaw,
  testNow,
  testStack,
  TopicTap,
} from '@onevoice/testing';
import { Client } from 'pg';

describe('the dispatcher keeps to the send window', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.deliveries]);
  });
  afterAll(() => tap.close());

  const states = (customer: string, decisionId?: string) =>
    tap
      .events<{ data: { state: string; decisionId: string } }>(Topics.deliveries, customer)
      .filter((e) => decisionId === undefined || e.data.decisionId === decisionId)
      .map((e) => e.data.state);
  const produce = (customer: string, ...events: unknown[]) =>
    produceRaw(
      stack,
      Topics.decisions,
      events.map((e) => ({ key: customer, value: JSON.stringify(e) })),
    );
  const stateOf = (customer: string, decisionId: string, state: string) =>
    tap.waitForMessages(
      `${state} of ${decisionId}`,
      (m) =>
        m.key === customer &&
        m.value!.toString().includes(`"decisionId":"${decisionId}"`) &&
        m.value!.toString().includes(`"state":"${state}"`),
    );
  const HOUR = 3_600_000;

  it('a deferred send goes out when its window opens, and not before', async () => {
    const customer = newCustomerId('window');
    const opens = testNow().getTime() + HOUR;
    const d = decision(customer, { sendAfter: new Date(opens).toISOString() });
    // The barrier: another send of the customer's, due half-way. The pass that sends it has
    // looked at every scheduled send, and found this one not due.
    const halfway = decision(customer, {
      intentKey: `halfway:${customer}`,
      sendAfter: new Date(opens - HOUR / 2).toISOString(),
    });
    await produce(customer, d.event, halfway.event);
    await stateOf(customer, d.decisionId, 'scheduled');
    await stateOf(customer, halfway.decisionId, 'scheduled');
    await advanceStackClock(stack, (3 * HOUR) / 4);
    await stateOf(customer, halfway.decisionId, 'sent');
    expect(states(customer, d.decisionId)).toEqual(['scheduled']);

    await advanceStackClock(stack, HOUR / 4);
    const [sent] = await stateOf(customer, d.decisionId, 'sent');
    const sentAt = Date.parse((JSON.parse(sent!.value!.toString()) as { time: string }).time);
    expect(sentAt).toBeGreaterThanOrEqual(opens);
    expect(states(customer, d.decisionId)).toEqual(['scheduled', 'sent']);
  });

  it('a digest goes out as one message that names what it merged', async () => {
    const customer = newCustomerId('digest');
    const d = decision(customer, {
      intentType: 'account.change_notice',
      intentKey: `change:${customer}`,
      category: 'account',
      urgency: 'low',
      variables: { change: 'Your tariff moves to Plus on 1 January' },
      action: { url: 'https://acct.example.test/change' },
      mergedRequestIds: ['digital/r-2'],
      merged: [
        {
          requestId: 'r-2',
          requestSource: 'loyalty',
          intentType: 'loyalty.offer',
          intentKey: `offer:${customer}`,
          variables: { offer: '20% off a faster plan' },
          action: { url: 'https://shop.example.test/offer' },
        },
      ],
    });
    await produceRaw(stack, Topics.decisions, [{ key: customer, value: JSON.stringify(d.event) }]);
    await tap.waitForMessages('sent', (m) => m.key === customer);
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(
        'SELECT subject, body FROM dispatcher.deliveries WHERE customer_id = $1',
        [customer],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].subject).toMatch(/\(and 1 more\)$/);
      expect(rows[0].body).toContain('Your tariff moves to Plus on 1 January');
      expect(rows[0].body).toContain('20% off a faster plan');
      expect(rows[0].body).toContain('https://shop.example.test/offer');
    } finally {
      await db.end();
    }
  });

  it('a decision seen again (redelivered, republished) gives no second delivery', async () => {
    const customer = newCustomerId('again');
    const now = decision(customer, {});
    const later = decision(customer, {
      intentKey: `later:${customer}`,
      sendAfter: new Date(testNow().getTime() + HOUR).toISOString(),
    });
    const twice = [now, later, now, later].map((d) => ({
      key: customer,
      value: JSON.stringify(d.event),
    }));
    // In one batch, then once more in another.
    await produceRaw(stack, Topics.decisions, twice);
    await tap.waitForMessages(
      'sent',
      (m) => m.key === customer && m.value!.toString().includes('"state":"sent"'),
    );
    await produceRaw(stack, Topics.decisions, twice.slice(0, 2));
    // The barrier: a decision produced after the copies, on the same partition: once it is
    // sent, the copies before it have been recorded (or found recorded).
    const marker = decision(customer, { intentKey: `marker:${customer}` });
    await produce(customer, marker.event);
    await stateOf(customer, marker.decisionId, 'sent');
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const rows = await db.query(
        `SELECT decision_id, state FROM dispatcher.deliveries
          WHERE customer_id = $1 AND decision_id <> $2 ORDER BY state`,
        [customer, marker.decisionId],
      );
      expect(rows.rows).toEqual([
        { decision_id: later.decisionId, state: 'scheduled' },
        { decision_id: now.decisionId, state: 'sent' },
      ]);
    } finally {
      await db.end();
    }
    // One "sent"; the waiting one's "scheduled" may be announced again (same event id).
    const events = tap
      .events<{
        id: string;
        data: { state: string; decisionId: string };
      }>(Topics.deliveries, customer)
      .filter((e) => e.data.decisionId !== marker.decisionId);
    expect(events.filter((e) => e.data.state === 'sent')).toHaveLength(1);
    expect(new Set(events.filter((e) => e.data.state === 'scheduled').map((e) => e.id)).size).toBe(
      1,
    );
  });

  it('a decision that replaces a scheduled one calls it off', async () => {
    const customer = newCustomerId('replaced');
    const opens = testNow().getTime() + HOUR;
    const first = decision(customer, { sendAfter: new Date(opens).toISOString() });
    const callOff = decision(customer, {
      outcome: 'suppressed',
      channel: undefined,
      replaces: first.decisionId,
      reasons: [{ rule: 'fulfilment', code: 'fulfilled', text: 'Called off.' }],
    });
    // The barrier: a send due just after the first would have been (the scheduler takes due sends
    // earliest first): once it is sent, the first would have gone before it.
    const after = decision(customer, {
      intentKey: `after:${customer}`,
      sendAfter: new Date(opens + 1).toISOString(),
    });
    await produce(customer, first.event, callOff.event, after.event);
    await stateOf(customer, after.decisionId, 'scheduled');
    await advanceStackClock(stack, 2 * HOUR);
    await stateOf(customer, after.decisionId, 'sent');
    expect(states(customer, first.decisionId)).toEqual(['scheduled', 'cancelled']);
    const cancelled = tap
      .events<{
        data: { state: string; decisionId: string; detail?: string };
      }>(Topics.deliveries, customer)
      .find((e) => e.data.decisionId === first.decisionId && e.data.state === 'cancelled');
    expect(cancelled!.data.detail).toBe(`called off: decision ${callOff.decisionId} replaces it`);
  });

  it('only the gate makes it send: an approval from anyone else is dead-lettered', async () => {
    const customer = newCustomerId('not-the-gate');
    const forged = decision(customer, {});
    forged.event.source = 'billing';
    const callOff = decision(customer, {
      outcome: 'suppressed',
      channel: undefined,
      replaces: 'some-decision',
    });
    callOff.event.source = 'loyalty';
    // The barrier: a real approval after them, on the same partition, goes out.
    const real = decision(customer, { intentKey: `real:${customer}` });
    const dead = await TopicTap.open(stack, [Topics.deadLetters]);
    try {
      await produce(customer, forged.event, callOff.event, real.event);
      await stateOf(customer, real.decisionId, 'sent');
      const letters = await dead.waitForMessages('both dead letters', (m) => m.key === customer, {
        count: 2,
      });
      expect(letters.map((m) => m.headers[DeadLetterHeaders.field])).toEqual(['source', 'source']);
      expect(letters[0]!.headers[DeadLetterHeaders.reason]).toMatch(
        /source "billing" is not a gate/,
      );
      expect(JSON.parse(letters[0]!.value!.toString())).toMatchObject({ id: forged.decisionId });
      expect(states(customer, forged.decisionId)).toEqual([]);
    } finally {
      await dead.close();
    }
  });
});
