import { DeadLetterHeaders, Topics } from '@onevoice/contracts';
import {
  daytimeZone,
  produceRaw,
  Story,
  testNow,
  testStack,
  TopicTap,
  zoneAtHours,
} from '@onevoice/testing';
import { randomUUID } from 'node:crypto';

/**
 * The survey gate through real Kafka and Postgres, with every service running: departments ask
 * for surveys at ingest, the throttler lets at most one through as a contact request, and the
 * coordinator's timeline says what became of each.
 */
describe('the survey gate through Kafka', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.contactRequests, Topics.deadLetters]);
  });
  afterAll(() => tap.close());

  const surveyContactRequests = (customerId: string) =>
    tap
      .events<{
        source: string;
        id: string;
        type: string;
        data: { channels?: string[] };
      }>(Topics.contactRequests, customerId)
      .filter((e) => e.type === 'survey.invite');

  it('car service: the rating requests by SMS and by email end as one survey on one channel', async () => {
    const story = await Story.begin(stack, 'rating');
    try {
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'email' });
      // The workshop's and the dealer's systems both ask about the same visit, on two channels.
      const bySms = await story.send('surveys', 'survey.requested', {
        surveyType: 'post-service',
        interactionId: `visit-${story.customerId}`,
        channel: 'sms',
      });
      const byEmail = await story.send('care', 'survey.requested', {
        surveyType: 'post-service',
        interactionId: `visit-${story.customerId}`,
        channel: 'email',
      });

      // One goes to the coordinator as an ordinary contact request, on one channel.
      const [passed] = await tap.waitForMessages(
        'one survey passed on to the coordinator',
        (m) => m.topic === Topics.contactRequests && m.key === story.customerId,
      );
      const sent = JSON.parse(passed!.value!.toString()) as {
        id: string;
        type: string;
        data: { channels?: string[]; action: { url?: string }; variables: { topic?: string } };
      };
      expect(sent.type).toBe('survey.invite');
      expect(sent.id).toBe(bySms);
      expect(sent.data.channels).toEqual(['sms']);
      expect(sent.data.action.url).toContain(`visit-${story.customerId}`);
      expect(sent.data.variables.topic).toBe('your service visit');

      // The other is dropped with its reason, and the coordinator decides the one that passed.
      await story.decided(bySms, byEmail);
      const dropped = story.standing().get(`care/${byEmail}`)!;
      expect(dropped.data.outcome).toBe('suppressed');
      expect(dropped.data.reasons.map((r) => r.code)).toEqual(['lower_priority']);
      const decided = story.standing().get(`surveys/${bySms}`)!;
      // The coordinator's rules still apply: it goes now, or waits for the customer's digest.
      expect(decided.data.outcome).toMatch(/approved|deferred/);
      expect(decided.data.reasons[0]!.text).toMatch(/^By sms/);

      // The agent's timeline shows the dropped survey with the gate's reason.
      const timeline = await story.waitFor('the dropped survey on the timeline', async () =>
        (await story.timeline()).find(
          (e) =>
            e.kind === 'decision' && (e.detail as { requestId?: string })?.requestId === byEmail,
        ),
      );
      expect(timeline.summary).toMatch(/survey.invite not sent/);
      expect(JSON.stringify(timeline.detail)).toContain('lower_priority');

      // A survey asked in the window later, by another department, is dropped too.
      const nps = await story.send('surveys', 'survey.requested', {
        surveyType: 'nps',
        interactionId: `call-${story.customerId}`,
        channel: 'voice',
      });
      await story.decided(nps);
      expect(story.standing().get(`surveys/${nps}`)!.data.reasons[0]!.code).toBe('survey_window');
      // The gate took this one after the others (one customer, one partition): nothing more passed.
      expect(surveyContactRequests(story.customerId)).toHaveLength(1);
    } finally {
      await story.end();
    }
  });

  it('phone upgrade: the email survey is held while the check-in call is pending', async () => {
    const story = await Story.begin(stack, 'held-survey');
    try {
      // Night for the customer: the check-in call is approved for the morning, not made now.
      await story.profile({ timeZone: zoneAtHours(1, 5), preferredChannel: 'voice' });
      const checkIn = await story.send('sales', 'service.check_in', {
        intentKey: `check-in:${story.customerId}`,
        variables: { product: 'Pixel 11' },
        action: { url: 'https://shop.example.test/my-phone' },
        channels: ['voice'],
      });
      await story.decided(checkIn);
      const call = story.standing().get(`sales/${checkIn}`)!;
      expect(call.data.outcome).toMatch(/approved|deferred/);

      const survey = await story.send('surveys', 'survey.invite', {
        intentKey: `survey:${story.customerId}:upgrade`,
        variables: { topic: 'your upgrade', surveyType: 'post-service' },
        action: { url: 'https://survey.example.test/u' },
        channels: ['email'],
      });
      await story.decided(survey);
      const held = story.standing().get(`surveys/${survey}`)!;
      expect(held.data.outcome).toBe('deferred');
      expect(held.data.reasons.map((r) => r.code)).toEqual(['contact_pending']);
      expect(held.data.reasons[0]!.text).toContain(call.data.decisionId);
      // Held means held: nothing went to the coordinator. A survey asked after it is the barrier:
      // its decision shows the gate took it, after the held one (one customer, one partition).
      const marker = await story.send('surveys', 'survey.requested', {
        surveyType: 'nps',
        interactionId: `marker-${story.customerId}`,
        channel: 'email',
      });
      await story.decided(marker);
      expect(story.standing().get(`surveys/${marker}`)!.data.outcome).not.toBe('approved');
      expect(surveyContactRequests(story.customerId)).toEqual([]);
    } finally {
      await story.end();
    }
  });

  it('a non-survey intent put straight on the survey topic is dead-lettered with the reason', async () => {
    const customer = `survey-dlq-${randomUUID().slice(0, 8)}`;
    const event = {
      specversion: '1.0',
      id: randomUUID(),
      source: 'billing',
      type: 'billing.payment_due',
      subject: customer,
      time: testNow().toISOString(),
      data: { intentKey: `bill:${customer}`, action: { url: 'https://pay.example.test' } },
    };
    const bytes = JSON.stringify(event);
    await produceRaw(stack, Topics.surveyRequests, [{ key: customer, value: bytes }]);
    const [dead] = await tap.waitForMessages(
      'the dead letter',
      (m) => m.topic === Topics.deadLetters && m.key === customer,
    );
    expect(dead!.value!.toString()).toBe(bytes);
    expect(dead!.headers[DeadLetterHeaders.reason]).toMatch(/billing intent/);
    expect(dead!.headers[DeadLetterHeaders.field]).toBe('type');
    expect(dead!.headers[DeadLetterHeaders.consumer]).toBe(stack.groups['survey-throttler']);
  });
});
