import { DeadLetterHeaders, Topics } from '@onevoice/contracts';
import {
  daytimeZone,
  departmentEvent,
  newCustomerId,
  postEvents,
  produceRaw,
  STAFF,
  Story,
  testStack,
  TopicTap,
} from '@onevoice/testing';

/**
 * Who may speak for whom (config/permissions.yaml as shipped): a customer's choices come only
 * from the departments that talk to customers, a re-consent only with the wording the customer
 * agreed to, an SMS keyword only from the provider's inbound path, and a department's fulfilment
 * calls off only its own requests unless it may settle anyone's. Refused over HTTP with 403
 * naming the field; over Kafka, to the dead-letter topic with the reason.
 */
describe('who may speak for whom', () => {
  const stack = testStack();
  const ingest = () => stack.services.ingest;
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.deadLetters, Topics.preferences]);
  });
  afterAll(() => tap.close());

  const event = (source: string, type: string, subject: string, data: Record<string, unknown>) =>
    departmentEvent({ source, type, subject, data });

  it.each([
    [
      'billing changing a preference',
      'billing',
      'preference.changed',
      { optIn: [{ channel: 'sms' }], wordingVersion: 'v1' },
      'type',
      /"billing" may not publish preference\.changed/,
    ],
    [
      'care opting a customer back in without the wording they agreed to',
      'care',
      'preference.changed',
      { optIn: [{ channel: 'sms' }] },
      'data.wordingVersion',
      /re-consent comes only from the customer/,
    ],
    [
      'care passing on a START text',
      'care',
      'interaction.inbound_contact',
      { channel: 'sms', reason: 'reply', text: 'START' },
      'data.text',
      /only from the SMS provider's inbound path/,
    ],
  ])('over HTTP: %s → 403 naming the field', async (_what, source, type, data, field, message) => {
    const customer = newCustomerId('perm');
    const res = await postEvents(ingest(), event(source, type, customer, data), {
      token: `dev-${source}`,
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'not_permitted', field });
    expect(String(res.body.message)).toMatch(message);
  });

  it('an unknown time zone is named, from a department or an agent', async () => {
    const customer = newCustomerId('perm-zone');
    const res = await postEvents(
      ingest(),
      event('care', 'preference.changed', customer, { timeZone: 'Mars/Olympus' }),
      { token: 'dev-care' },
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'data.timeZone' });
    const put = await fetch(
      `${stack.services['behaviour-profiler']}/v1/customers/${customer}/preferences`,
      {
        method: 'PUT',
        headers: { authorization: STAFF.ops, 'content-type': 'application/json' },
        body: JSON.stringify({ timeZone: 'Mars/Olympus' }),
      },
    );
    expect(put.status).toBe(400);
    expect(await put.json()).toMatchObject({ field: 'timeZone' });
  });

  it('over Kafka: loyalty changing a preference is dead-lettered with the reason; care’s goes through', async () => {
    const customer = newCustomerId('perm-kafka');
    const refused = event('loyalty', 'preference.changed', customer, {
      optOut: [{ channel: 'email' }],
    });
    const allowed = event('care', 'preference.changed', customer, {
      optOut: [{ channel: 'voice' }],
    });
    await produceRaw(stack, Topics.events, [
      { key: customer, value: JSON.stringify(refused) },
      { key: customer, value: JSON.stringify(allowed) },
    ]);
    const [dead] = await tap.waitForMessages(
      'the refused change dead-lettered',
      (m) => m.topic === Topics.deadLetters && m.key === customer,
    );
    expect(JSON.parse(dead!.value!.toString())).toMatchObject({ id: refused.id });
    expect(dead!.headers[DeadLetterHeaders.field]).toBe('type');
    expect(dead!.headers[DeadLetterHeaders.reason]).toMatch(
      /"loyalty" may not publish preference\.changed/,
    );
    // Only care's change reached the profiler's topic.
    const [passed] = await tap.waitForMessages(
      'care’s change on the preferences topic',
      (m) => m.topic === Topics.preferences && m.key === customer,
    );
    expect(JSON.parse(passed!.value!.toString())).toMatchObject({ id: allowed.id });
  });

  it('a fulfilment from a department that may settle only its own intents leaves another’s message', async () => {
    const story = await Story.begin(stack, 'perm-fulfil');
    try {
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'email' });
      const intentKey = `car-service:${story.customerId}`;
      const due = await story.send('care', 'service.appointment_due', {
        intentKey,
        variables: { vehicle: 'the van', dueDate: '2026-12-18' },
        action: { url: 'https://book.example.test/v' },
      });
      await story.sentFor(due);
      await story.waitFor('the reminder planned', async () =>
        (await story.timeline()).find((e) => e.kind === 'reminder'),
      );

      // Network says the service is done: not its intent, so care's reminder stands.
      await story.send('network', 'interaction.fulfilled', { intentKey });
      await story.waitFor('network’s fulfilment on the timeline', async () =>
        (await story.timeline()).find(
          (e) => e.kind === 'fulfilment' && /network's own requests of it only/.test(e.summary),
        ),
      );
      // The timeline reads the ledger, which the same transaction changed: nothing called off.
      expect(
        (await story.timeline()).filter(
          (e) => e.kind === 'decision' && /Called off/.test(e.summary),
        ),
      ).toEqual([]);

      // Care's own fulfilment calls the reminder off.
      await story.send('care', 'interaction.fulfilled', { intentKey });
      const [first] = story.decisions();
      await story.reminderCalledOff(first!.data.decisionId);
    } finally {
      await story.end();
    }
  });
});
