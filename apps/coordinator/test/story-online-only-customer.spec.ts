import { Story, StoryCalendar, testStack, zoneAtHours } from '@onevoice/testing';

/**
 * The online-only customer pays online, uses chat and social media, and never calls. Billing
 * sends payment_due, whose catalogue default is a phone call. Result: no call, one actionable
 * message on the customer's channel, and paying cancels the reminder.
 */
describe('story: the online-only customer', () => {
  const stack = testStack();
  let story: Story;

  beforeAll(async () => {
    story = await Story.begin(stack, 'online-only');
  });
  afterAll(() => story.end());

  it('gets no call, one message with amount, due date and pay link on chat, and no reminder after paying', async () => {
    // What they did over the last weeks: chat, message us on social media, pay on the web; they
    // never call. (Weeks ago: this message is not a reply to a recent chat, which would go back
    // to chat by reply in kind.) The behaviour profiler learns chat from it, with enough
    // confidence for the coordinator to use.
    const zone = zoneAtHours(8, 8);
    await story.profile({ timeZone: zone });
    const calendar = new StoryCalendar(zone, story.now());
    const daysAgo = (n: number) => new Date(story.now().getTime() - n * 86_400_000);
    for (let i = 0; i < 8; i++)
      await story.send(
        'care',
        'interaction.inbound_contact',
        { channel: 'chat', reason: `question ${i}` },
        { time: daysAgo(30 - i) },
      );
    for (let i = 0; i < 2; i++)
      await story.send(
        'care',
        'interaction.inbound_contact',
        { channel: 'social', reason: 'tweet' },
        { time: daysAgo(20 - i) },
      );
    for (let i = 0; i < 3; i++)
      await story.send(
        'billing',
        'interaction.payment',
        { channel: 'web', amount: 39.9 },
        { time: daysAgo(15 - i) },
      );
    const learnt = await story.profileInCoordinator('a profile inferring chat', (p) =>
      (p.inferred ?? []).some((i) => i.channel === 'chat' && !i.category && i.confidence >= 0.6),
    );
    expect(JSON.stringify(learnt)).not.toContain('"voice"');
    // Day 1, 09:00: the bill.
    await story.advanceTo(calendar.at(1, '09:00'));
    const intentKey = `bill:${story.customerId}:2026-12`;
    const due = await story.send('billing', 'billing.payment_due', {
      intentKey,
      variables: { amount: '39.90 EUR', dueDate: '2026-12-05' },
      action: { url: `https://pay.example.test/${story.customerId}` },
    });
    await story.decided(due);
    const [decision] = story.decisions();
    expect(decision!.data).toMatchObject({ outcome: 'approved', channel: 'chat' });
    expect(decision!.data.reasons.map((r) => r.code)).toContain('inferred_channel');

    // One message, on chat, that says what it is about and leads somewhere.
    const delivery = await story.waitFor('the delivery', () => story.deliveries()[0]);
    expect(delivery.data).toMatchObject({ channel: 'chat', state: 'sent' });
    const [message] = await story.deliveredMessages();
    expect(message!.body).toContain('39.90 EUR');
    expect(message!.body).toContain('2026-12-05');
    expect(message!.body).toContain(`https://pay.example.test/${story.customerId}`);
    const sent = await story.waitFor('the reminder plan', async () => {
      const t = await story.timeline();
      return t.some((e) => e.kind === 'reminder') ? t : undefined;
    });
    expect(sent.find((e) => e.kind === 'reminder')!.summary).toMatch(
      /Reminder 1 of billing.payment_due planned/,
    );

    // Day 2, 20:00: the customer pays online; the reminder planned for day 4 is called off.
    await story.advanceTo(calendar.at(2, '20:00'));
    await story.send('billing', 'interaction.payment', {
      channel: 'web',
      amount: 39.9,
      fulfils: intentKey,
    });
    const calledOff = await story.reminderCalledOff(decision!.data.decisionId);
    expect(calledOff.data.reasons).toEqual([expect.objectContaining({ code: 'fulfilled' })]);

    // Past the day the reminder would have come: one message in all, on chat, day 1 at 09:00.
    await story.advanceTo(calendar.at(5, '12:00'));
    expect(story.decisions().some((d) => d.data.channel === 'voice')).toBe(false);
    expect(story.receivedOn(calendar)).toEqual([[1, '09:00', 'chat', 'billing.payment_due']]);
    const timeline = await story.timeline();
    expect(timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['request', 'decision', 'delivery', 'reminder', 'fulfilment']),
    );
    // An agent reads which message was called off: the reminder, not the bill that went out.
    const calledOffLine = timeline.find(
      (e) =>
        e.kind === 'decision' &&
        (e.detail as { decisionId?: string }).decisionId === calledOff.data.decisionId,
    );
    expect(calledOffLine?.summary).toMatch(/^Reminder 1 of billing\.payment_due not sent\. /);
  });
});
