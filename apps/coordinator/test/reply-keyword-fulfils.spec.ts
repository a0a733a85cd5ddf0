import { daytimeZone, Story, testStack } from '@onevoice/testing';

/**
 * A message that asks for a reply ("reply BOOK") is answered by the customer texting that word
 * back: what it asked for is done, so its reminder is called off — as when a payment settles a
 * bill. Any other text is only an inbound contact.
 */
describe('a reply with the keyword a message asked for', () => {
  const stack = testStack();
  let story: Story;

  beforeAll(async () => {
    story = await Story.begin(stack, 'reply-keyword');
  });
  afterAll(() => story.end());

  const reply = async (text: string) => {
    const res = await fetch(`${stack.services['provider-simulator']}/control/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: story.customerId, text }),
    });
    expect(res.status).toBe(202);
  };

  it('fulfils the intent and calls off its reminder; another text does not', async () => {
    await story.profile({ timeZone: daytimeZone(), preferredChannel: 'sms' });
    const intentKey = `car-service:${story.customerId}:2026-12`;
    const due = await story.send('care', 'service.appointment_due', {
      intentKey,
      variables: { vehicle: 'the estate car', dueDate: '2026-12-15' },
      action: { replyKeyword: 'BOOK' },
    });
    await story.decided(due);
    const [decision] = story.decisions();
    expect(decision!.data).toMatchObject({ outcome: 'approved', channel: 'sms' });
    await story.waitFor('the reminder planned', async () =>
      (await story.timeline()).find((e) => e.kind === 'reminder'),
    );

    // Not the word asked for: an inbound contact, nothing more.
    await reply('maybe next week');
    // The word, as people type it.
    await reply(' book! ');

    const calledOff = await story.reminderCalledOff(decision!.data.decisionId);
    expect(calledOff.data.reasons).toEqual([expect.objectContaining({ code: 'fulfilled' })]);
    const timeline = await story.timeline();
    const fulfilments = timeline.filter((e) => e.kind === 'fulfilment');
    expect(fulfilments.map((e) => e.summary)).toEqual([
      `Replied BOOK to service.appointment_due: "${intentKey}" is done.`,
    ]);
    expect(timeline.filter((e) => e.kind === 'interaction')).toHaveLength(2);
    expect(story.deliveries().filter((d) => d.data.state === 'sent')).toHaveLength(1);
  });
});
