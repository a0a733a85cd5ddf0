import { daytimeZone, Story, testStack } from '@onevoice/testing';

/**
 * The phone upgrade: sales and care each want a check-in call, surveys emails a survey, and
 * sales texts service options the next day. Result: one check-in, on the preferred channel; the
 * rest merged, deferred or suppressed, each with its reason.
 */
describe('story: the phone upgrade', () => {
  const stack = testStack();
  let story: Story;

  beforeAll(async () => {
    story = await Story.begin(stack, 'upgrade');
  });
  afterAll(() => story.end());

  it('makes one check-in on the preferred channel and holds or drops the rest with reasons', async () => {
    await story.profile({ timeZone: daytimeZone(), preferredChannel: 'email' });
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
    const tomorrow = new Date(story.now().getTime() + 24 * 3_600_000).toISOString();
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
  });
});
