import { Story, StoryCalendar, testStack, zoneAtHours } from '@onevoice/testing';

/**
 * The phone upgrade: sales and care each want a check-in call, surveys emails a survey, and
 * sales texts service options the next day. On day 1 one check-in goes, on the preferred channel
 * (email); the rest is merged, held or dropped, each with its reason. Over the days after, the
 * customer receives one message a day: the check-in (day 1, 11:00), the options (day 2, 11:00, by
 * SMS as sales restricted them) and one survey (day 3, 15:00) — three of five asked for.
 */
describe('story: the phone upgrade', () => {
  const stack = testStack();
  let story: Story;

  beforeAll(async () => {
    story = await Story.begin(stack, 'upgrade');
  });
  afterAll(() => story.end());

  it('makes one check-in on the preferred channel and holds or drops the rest with reasons', async () => {
    const zone = zoneAtHours(10, 10);
    await story.profile({ timeZone: zone, preferredChannel: 'email' });
    const calendar = new StoryCalendar(zone, story.now());
    // Day 1, 11:00: the customer has just upgraded in the shop.
    await story.advanceTo(calendar.at(1, '11:00'));
    const checkIn = {
      intentKey: `check-in:${story.customerId}:upgrade`,
      variables: { product: 'Pixel 11' },
      action: { url: 'https://shop.example.test/my-phone' },
    };
    const bySales = await story.send('sales', 'service.check_in', checkIn);
    await story.decided(bySales);
    const byCare = await story.send('care', 'service.check_in', checkIn);
    const survey = await story.send('surveys', 'survey.invite', {
      intentKey: `survey:${story.customerId}:upgrade`,
      variables: { topic: 'your upgrade' },
      action: { url: 'https://survey.example.test/u' },
      channels: ['email'],
    });
    const tomorrow = calendar.at(2, '11:00').toISOString();
    const options = await story.send('sales', 'service.options', {
      intentKey: `options:${story.customerId}:upgrade`,
      variables: { product: 'Pixel 11', options: 'insurance, trade-in' },
      action: { url: 'https://shop.example.test/options' },
      channels: ['sms'],
      notBefore: tomorrow,
    });
    await story.decided(byCare, survey, options);

    const standing = [...story.standing().values()];
    const approved = standing.filter((d) => d.data.outcome === 'approved');
    expect(approved).toHaveLength(1);
    expect(approved[0]!.data).toMatchObject({
      intentType: 'service.check_in',
      channel: 'email',
      requestId: bySales,
    });
    expect(approved[0]!.data.reasons.map((r) => r.code)).toContain('preferred_channel');

    const rest = standing.filter((d) => d.data.outcome !== 'approved');
    expect(rest.map((d) => d.data.requestId).sort()).toEqual([byCare, survey, options].sort());
    for (const d of rest) {
      expect(['merged', 'deferred', 'suppressed']).toContain(d.data.outcome);
      expect(d.data.reasons.length).toBeGreaterThan(0);
    }
    // The second check-in is the same intent: never a second call.
    expect(standing.find((d) => d.data.requestId === byCare)!.data.outcome).toMatch(
      /merged|suppressed/,
    );
    // The survey and the options wait; neither goes out now.
    for (const id of [survey, options])
      expect(standing.find((d) => d.data.requestId === id)!.data.outcome).toBe('deferred');
    expect(story.decisions().filter((d) => d.data.outcome === 'approved')).toHaveLength(1);

    // The two weeks after, moment by moment.
    await story.playOut([survey, options], calendar.at(15, '12:00'));
    // What the customer receives: one message a day, each once.
    expect(story.receivedOn(calendar)).toEqual([
      [1, '11:00', 'email', 'service.check_in'],
      // Not before the time sales set, on the channel sales restricted it to.
      [2, '11:00', 'sms', 'service.options'],
      // Held while the options were pending, then a day after the last contact, then for the
      // digest window: one survey, by email.
      [3, '15:00', 'email', 'survey.invite'],
    ]);
    const surveyCodes = story
      .decisions()
      .filter((d) => d.data.requestId === survey)
      .flatMap((d) => d.data.reasons.map((r) => r.code));
    expect(surveyCodes).toEqual(
      expect.arrayContaining(['contact_pending', 'contacted_today', 'held_for_digest']),
    );
  });
});
