import { daytimeZone, Story, testStack } from '@onevoice/testing';

/**
 * The car service. Naively, the dealer's systems would send 13 messages: the service reminder by
 * email, SMS, email again, letter and phone; the booking confirmation by email and SMS; the
 * appointment reminder by email and SMS and a call the day before; a "car ready" call; and a
 * rating request by SMS and by email (each system's own reminders come on top). Through
 * OneVoice: at most five touches, all on the customer's channel, at most one survey, and no
 * reminder once the service is booked.
 *
 * The story runs in the seconds of a test, not over weeks: what is held for later is checked as
 * held (one per intent), not waited for.
 */
describe('story: the car service', () => {
  const stack = testStack();
  let story: Story;

  beforeAll(async () => {
    story = await Story.begin(stack, 'car');
  });
  afterAll(() => story.end());

  it('ends in at most five touches on email, one survey, and no reminder after booking', async () => {
    await story.profile({ timeZone: daytimeZone(), preferredChannel: 'email' });
    const vin = `VIN-${story.customerId}`;
    const msg = (intentKey: string, variables: Record<string, unknown>) => ({
      intentKey,
      variables: { vehicle: 'your Golf', ...variables },
      action: { url: `https://dealer.example.test/${vin}` },
    });
    const serviceDue = msg(`car-service:${vin}:2026-12`, { dueDate: '2026-12-15' });

    const naive: { source: string; type: string; data: Record<string, unknown> }[] = [
      // The service reminder, from five systems on five channels.
      ...['sales', 'care', 'digital', 'sales', 'care'].map((source) => ({
        source,
        type: 'service.appointment_due',
        data: serviceDue,
      })),
    ];
    const first = await story.send(naive[0]!.source, naive[0]!.type, naive[0]!.data);
    await story.decided(first);
    const ids = [first];
    for (const n of naive.slice(1)) ids.push(await story.send(n.source, n.type, n.data));
    await story.decided(...ids);
    const reminderPlanned = await story.waitFor(
      'the service reminder’s own reminder, planned',
      async () => (await story.timeline()).find((e) => e.kind === 'reminder'),
    );
    expect(reminderPlanned.summary).toMatch(/Reminder 1 of service.appointment_due/);

    // The customer books: the service is no longer due.
    await story.send('digital', 'interaction.fulfilled', { intentKey: serviceDue.intentKey });
    const later = [
      {
        source: 'care',
        type: 'service.booking_confirmed',
        data: msg(`booking:${vin}`, { date: '15 Dec, 09:00', place: 'Main St' }),
      },
      {
        source: 'digital',
        type: 'service.booking_confirmed',
        data: msg(`booking:${vin}`, { date: '15 Dec, 09:00', place: 'Main St' }),
      },
      {
        source: 'care',
        type: 'service.appointment_tomorrow',
        data: msg(`tomorrow:${vin}`, { time: '09:00', place: 'Main St' }),
      },
      {
        source: 'digital',
        type: 'service.appointment_tomorrow',
        data: msg(`tomorrow:${vin}`, { time: '09:00', place: 'Main St' }),
      },
      {
        source: 'sales',
        type: 'service.appointment_tomorrow',
        data: msg(`tomorrow:${vin}`, { time: '09:00', place: 'Main St' }),
      },
      {
        source: 'care',
        type: 'service.ready_for_pickup',
        data: msg(`ready:${vin}`, { place: 'Main St', closing: '18:00' }),
      },
      {
        source: 'surveys',
        type: 'survey.invite',
        data: msg(`rating:${vin}`, { topic: 'your service visit' }),
      },
      {
        source: 'care',
        type: 'survey.invite',
        data: msg(`rating:${vin}`, { topic: 'your service visit' }),
      },
    ];
    for (const n of later) ids.push(await story.send(n.source, n.type, n.data));
    await story.decided(...ids);
    expect(ids).toHaveLength(13);

    // The reminder of the service reminder was called off by the booking.
    const calledOff = await story.waitFor('the reminder called off', () =>
      story
        .decisions()
        .find((d) => d.data.reminderOf !== undefined && d.data.outcome === 'suppressed'),
    );
    expect(calledOff.data.reasons).toEqual([expect.objectContaining({ code: 'fulfilled' })]);

    const standing = [...story.standing().values()].filter((d) => ids.includes(d.data.requestId));
    // Going out now, or held to go out later: at most one per intent, and five in all.
    const touches = standing.filter(
      (d) => d.data.outcome === 'approved' || d.data.outcome === 'deferred',
    );
    expect(touches.length).toBeLessThanOrEqual(5);
    expect(new Set(touches.map((d) => d.data.intentKey)).size).toBe(touches.length);
    // Everything else was merged into one of those or dropped, with its reason.
    for (const d of standing.filter((x) => !touches.includes(x))) {
      expect(['merged', 'suppressed']).toContain(d.data.outcome);
      expect(d.data.reasons.length).toBeGreaterThan(0);
    }
    // Everything sent is on the customer's channel; at most one survey.
    for (const d of story.decisions().filter((x) => x.data.outcome === 'approved'))
      expect(d.data.channel).toBe('email');
    expect(touches.filter((d) => d.data.intentType === 'survey.invite').length).toBeLessThanOrEqual(
      1,
    );
    // Nothing about the service reminder goes out after the booking.
    const afterBooking = story
      .decisions()
      .filter(
        (d) =>
          d.data.intentKey === serviceDue.intentKey &&
          d.data.outcome === 'approved' &&
          d.data.requestId !== first,
      );
    expect(afterBooking).toEqual([]);
  });
});
