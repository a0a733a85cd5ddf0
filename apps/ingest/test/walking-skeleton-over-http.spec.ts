import { Topics } from '@onevoice/contracts';
import { newCustomerId, paymentDue, postEvents, testStack, TopicTap } from '@onevoice/testing';
import { Client } from 'pg';

describe('walking skeleton: a department event posted over HTTP reaches a channel', () => {
  const stack = testStack();
  let tap: TopicTap;
  let db: Client;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [
      Topics.events,
      Topics.contactRequests,
      Topics.decisions,
      Topics.deliveries,
    ]);
    db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await tap.close();
    await db.end();
  });

  it('goes ingest → contact request → coordinator decision → dispatcher delivery', async () => {
    const customer = newCustomerId('http');
    const event = paymentDue(customer, {
      data: {
        intentKey: `bill:${customer}:2026-12`,
        variables: { amount: '19.99 EUR', dueDate: '2026-12-05' },
        action: { url: 'https://pay.example.test/abc' },
        channels: ['email', 'sms'],
      },
    });

    const res = await postEvents(stack.services.ingest, event);
    expect(res).toEqual({ status: 202, body: { accepted: 1, ids: [event.id] } });

    const [delivery] = await tap.waitForMessages(
      'a delivery for the customer',
      (m) => m.topic === Topics.deliveries && m.key === customer,
    );
    const sent = JSON.parse(delivery!.value!.toString()) as {
      type: string;
      data: Record<string, unknown>;
    };
    // Sent at once, or scheduled when the customer's quiet hours (UTC, no profile) are on now.
    expect(['ov.delivery.sent', 'ov.delivery.scheduled']).toContain(sent.type);
    expect(sent.data).toMatchObject({
      requestId: event.id,
      channel: 'email',
      intentType: 'billing.payment_due',
    });

    // Every hop is on its topic, keyed by the customer. The tap reads each topic on its own, so
    // an earlier hop may reach it after a later one: wait for each.
    for (const topic of [Topics.events, Topics.contactRequests, Topics.decisions])
      await tap.waitForMessages(
        `the ${topic} message`,
        (m) => m.topic === topic && m.key === customer,
      );
    expect(tap.events(Topics.events, customer).map((e) => e.id)).toEqual([event.id]);
    expect(tap.events(Topics.contactRequests, customer).map((e) => e.id)).toEqual([event.id]);
    const decisions = tap.events(Topics.decisions, customer);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      type: 'ov.decision.approved',
      subject: customer,
      data: { outcome: 'approved', channel: 'email', requestId: event.id },
    });
    expect((decisions[0]!.data.reasons as unknown[]).length).toBeGreaterThan(0);

    // The decision is in the coordinator's own schema, the delivery in the dispatcher's.
    const recorded = await db.query(
      'SELECT outcome, channel FROM coordinator.decision_log WHERE customer_id = $1',
      [customer],
    );
    expect(recorded.rows).toEqual([{ outcome: 'approved', channel: 'email' }]);
    const delivered = await db.query(
      'SELECT state, channel, body FROM dispatcher.deliveries WHERE customer_id = $1',
      [customer],
    );
    expect(delivered.rows).toHaveLength(1);
    expect(delivered.rows[0]).toMatchObject({ channel: 'email' });
    expect(['sent', 'scheduled']).toContain(delivered.rows[0].state);
    expect(delivered.rows[0].body).toContain('19.99 EUR');
    // The pay link leads there through the dispatcher's click tracking.
    const link = /Pay it here: (\S+)/.exec(delivered.rows[0].body as string)?.[1];
    expect(link).toBeDefined();
    const followed = await fetch(link!, { redirect: 'manual' });
    expect(followed.headers.get('location')).toBe('https://pay.example.test/abc');
  });
});
