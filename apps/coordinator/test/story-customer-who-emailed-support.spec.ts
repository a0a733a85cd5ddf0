import { daytimeZone, Story, StoryCalendar, testStack, zoneAtHours } from '@onevoice/testing';

/**
 * The customer who emailed support in the evening gets the answer by email the next morning, not
 * by a call; a customer who did not write gets care's usual callback, at 09:00 at the earliest.
 */
describe('story: the customer who emailed support', () => {
  const stack = testStack();
  let wrote: Story;
  let silent: Story;

  beforeAll(async () => {
    [wrote, silent] = await Promise.all([
      Story.begin(stack, 'emailed'),
      Story.begin(stack, 'silent'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([wrote.end(), silent.end()]);
  });

  const reply = (story: Story) =>
    story.send('care', 'care.reply', {
      intentKey: `care:${story.customerId}:roaming`,
      variables: {
        topic: 'roaming charges',
        answer: 'Roaming in the EU is included in your plan.',
      },
      action: { url: 'https://help.example.test/roaming' },
    });

  it('answers in kind the next morning: email for the customer who wrote, a call after 09:00 for the other', async () => {
    // Both on a clock that reads 17:xx now: day 1 evening, day 2 morning.
    const zone = zoneAtHours(17, 17);
    await Promise.all([wrote.profile({ timeZone: zone }), silent.profile({ timeZone: zone })]);
    const calendar = new StoryCalendar(zone, wrote.now());

    // Day 1, 18:30: one customer emails support about roaming charges.
    await wrote.advanceTo(calendar.at(1, '18:30'));
    await wrote.send('care', 'interaction.inbound_contact', {
      channel: 'email',
      reason: 'roaming charges',
    });
    // The inbound contact is on its own topic; let the coordinator see it before the reply.
    await wrote.waitFor('the inbound contact on the timeline', async () =>
      (await wrote.timeline()).some((e) => e.kind === 'interaction') ? true : undefined,
    );

    // Day 2, 08:30: care answers both customers, and would call each.
    await wrote.advanceTo(calendar.at(2, '08:30'));
    const [toWriter, toSilent] = await Promise.all([reply(wrote), reply(silent)]);
    const [[answer], [callback]] = await Promise.all([
      wrote.settled(toWriter),
      silent.settled(toSilent),
    ]);
    expect(answer!.data).toMatchObject({ outcome: 'approved', channel: 'email' });
    const why = answer!.data.reasons.find((r) => r.rule === 'channel-choice')!;
    expect(why).toMatchObject({ code: 'reply_in_kind' });
    expect(why.text).toMatch(/contacted us by email/);
    // The control: a customer who did not write gets care's usual callback — not before 09:00,
    // the earliest a call may come.
    expect(callback!.data).toMatchObject({ outcome: 'approved', channel: 'voice' });
    expect(callback!.data.reasons.map((r) => r.code)).toContain('quiet_hours');
    await wrote.sentFor(toWriter);
    await silent.playOut([toSilent], calendar.at(2, '09:00'));
    await silent.sentFor(toSilent);

    const when = (story: Story) => story.receivedOn(calendar);
    expect(when(wrote)).toEqual([[2, '08:30', 'email', 'care.reply']]);
    expect(when(silent)).toEqual([[2, '09:00', 'voice', 'care.reply']]);
  });

  it('answers in kind when the request names the inbound contact it answers', async () => {
    const story = await Story.begin(stack, 'reply-to');
    try {
      await story.profile({ timeZone: daytimeZone() });
      const id = await story.send('care', 'care.reply', {
        intentKey: `care:${story.customerId}:invoice`,
        variables: { topic: 'your invoice', answer: 'The credit is on your next bill.' },
        action: { url: 'https://help.example.test/invoice' },
        replyTo: { channel: 'chat', interactionId: 'chat-77' },
      });
      await story.decided(id);
      expect(story.decisions()[0]!.data).toMatchObject({ outcome: 'approved', channel: 'chat' });
    } finally {
      await story.end();
    }
  });
});
