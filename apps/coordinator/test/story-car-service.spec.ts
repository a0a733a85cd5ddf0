import { localTime, Story, StoryCalendar, testStack, zoneAtHours } from '@onevoice/testing';

/**
 * The car service, told over the four days it spans. Naively the dealer's systems send 13
 * messages: the service reminder by email, SMS, email again, letter and phone; the booking
 * confirmation by email and SMS; "see you tomorrow" by email, SMS and a call; "your car is ready";
 * and a rating request by SMS and by email.
 *
 * Through OneVoice the customer (who prefers email) receives exactly four, each once, on email,
 * each before its moment:
 *  - day 1, 09:xx — "time to book the service" (one of five copies; the others merged or dropped);
 *  - day 2, 10:xx — "your appointment is booked" (for day 4 at 09:00; the copy is dropped) — and
 *    the service reminder's own reminder, planned for day 4, is called off by the booking;
 *  - day 3, 15:xx — "see you tomorrow" (one of three);
 *  - day 4, 16:xx — "your car is ready" (pick-up until 18:00). It goes although the week's budget
 *    of three is used: it is about what the customer did (transactional), counted, not capped.
 * The rating request is asked once (the survey gate drops the copy) and then, as the fifth message
 * of the week, waits for the budget — which frees only after the survey expires: no survey. Four
 * messages, then, and nothing else over the following two weeks.
 */
describe('story: the car service', () => {
  const stack = testStack();
  let story: Story;

  beforeAll(async () => {
    story = await Story.begin(stack, 'car');
  });
  afterAll(() => story.end());

  it('over four days, the customer receives four messages on email, each before its moment', async () => {
    // A customer whose clock now reads 09:xx: the story's days keep their hours, whatever the
    // hour the suite runs at.
    const zone = zoneAtHours(9, 9);
    await story.profile({ timeZone: zone, preferredChannel: 'email' });
    const local = (at: Date) => localTime(at, zone);
    // The story's calendar: day 1 is today on the customer's clock.
    const calendar = new StoryCalendar(zone, story.now());
    const at = (day: number, hhmm: string) => calendar.at(day, hhmm);
    const dayOf = (t: Date) => calendar.dayOf(t);
    const vin = `VIN-${story.customerId}`;
    const msg = (intentKey: string, variables: Record<string, unknown>, expiresAt?: Date) => ({
      intentKey,
      variables: { vehicle: 'your Golf', ...variables },
      action: { url: `https://dealer.example.test/${vin}` },
      ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
    });

    // Day 1, 09:xx: the service is due — five systems send the reminder.
    const serviceDue = msg(`car-service:${vin}`, { dueDate: 'in two weeks' });
    const dueIds: string[] = [];
    for (const source of ['sales', 'care', 'digital', 'sales', 'care'])
      dueIds.push(await story.send(source, 'service.appointment_due', serviceDue));
    const dueDecisions = await story.settled(...dueIds);
    const dueSent = dueDecisions.filter((d) => d.data.outcome === 'approved');
    expect(dueSent).toHaveLength(1);
    const first = await story.sentFor(dueSent[0]!.data.requestId);
    expect([dayOf(first.at), first.channel]).toEqual([1, 'email']);
    await story.waitFor('the reminder planned', async () =>
      (await story.timeline()).find((e) => e.kind === 'reminder'),
    );

    // Day 2, 10:00: the customer books for day 4, 09:00; care and the web shop both confirm.
    await story.advanceTo(at(2, '10:00'));
    await story.send('digital', 'interaction.fulfilled', { intentKey: serviceDue.intentKey });
    const calledOff = await story.reminderCalledOff(dueSent[0]!.data.decisionId);
    expect(calledOff.data.reasons).toEqual([expect.objectContaining({ code: 'fulfilled' })]);
    const appointment = at(4, '09:00');
    const booking = msg(`booking:${vin}`, { date: local(appointment), place: 'Main St' });
    const bookingIds = [
      await story.send('care', 'service.booking_confirmed', booking),
      await story.send('digital', 'service.booking_confirmed', booking),
    ];
    const bookingDecisions = await story.settled(...bookingIds);
    const bookingSent = bookingDecisions.filter((d) => d.data.outcome === 'approved');
    expect(bookingSent).toHaveLength(1);
    const confirmed = await story.sentFor(bookingSent[0]!.data.requestId);
    expect([dayOf(confirmed.at), confirmed.channel]).toEqual([2, 'email']);

    // Day 3, 15:00: three systems say "see you tomorrow".
    await story.advanceTo(at(3, '15:00'));
    const tomorrow = msg(`tomorrow:${vin}`, { time: '09:00', place: 'Main St' }, appointment);
    const tomorrowIds: string[] = [];
    for (const source of ['care', 'digital', 'sales'])
      tomorrowIds.push(await story.send(source, 'service.appointment_tomorrow', tomorrow));
    const tomorrowSent = (await story.settled(...tomorrowIds)).filter(
      (d) => d.data.outcome === 'approved',
    );
    expect(tomorrowSent).toHaveLength(1);
    const reminded = await story.sentFor(tomorrowSent[0]!.data.requestId);
    expect([dayOf(reminded.at), reminded.channel]).toEqual([3, 'email']);
    expect(reminded.at.getTime()).toBeLessThan(appointment.getTime());

    // Day 4, 16:00: the car is ready, to be picked up by 18:00; then two rating requests.
    await story.advanceTo(at(4, '16:00'));
    const closing = at(4, '18:00');
    const ready = await story.send(
      'care',
      'service.ready_for_pickup',
      msg(`ready:${vin}`, { place: 'Main St', closing: '18:00' }, closing),
    );
    const [readyDecision] = await story.settled(ready);
    expect(readyDecision!.data.reasons.map((r) => r.code)).toContain('transactional_uncapped');
    const pickUp = await story.sentFor(ready);
    expect([dayOf(pickUp.at), pickUp.channel]).toEqual([4, 'email']);
    expect(pickUp.at.getTime()).toBeLessThan(closing.getTime());

    const rating = {
      ...msg(`rating:${vin}`, { topic: 'your service visit', surveyType: 'post-service' }),
      replyTo: { channel: 'store', interactionId: `visit-${vin}` },
    };
    const surveyIds = [
      await story.send('surveys', 'survey.invite', rating),
      await story.send('care', 'survey.invite', rating),
    ];

    // Two weeks on, moment by moment: everything held has come due and been decided for good.
    await story.decided(...surveyIds);
    await story.playOut(surveyIds, at(18, '12:00'));
    const [asked, copy] = await story.settled(...surveyIds);
    expect(copy!.data.reasons).toEqual([expect.objectContaining({ code: 'lower_priority' })]);
    // The one asked for waited a day after the last message, then for the week's budget (the
    // four messages count, transactional or not), which frees only after the survey expires.
    const history = story
      .decisions()
      .filter((d) => d.data.requestId === asked!.data.requestId)
      .flatMap((d) => d.data.reasons.map((r) => r.code));
    expect(history).toEqual(expect.arrayContaining(['contacted_today', 'deferred_for_budget']));
    expect(asked!.data).toMatchObject({ outcome: 'suppressed' });
    expect(asked!.data.reasons.at(-1)!.code).toBe('expired');

    // Thirteen messages asked for; four received, each once, on email, at these local times.
    expect(dueIds.length + bookingIds.length + tomorrowIds.length + 1 + surveyIds.length).toBe(13);
    expect(
      story.received().map((r) => [dayOf(r.at), local(r.at).slice(11), r.channel, r.intentType]),
    ).toEqual([
      [1, local(first.at).slice(11), 'email', 'service.appointment_due'],
      [2, '10:00', 'email', 'service.booking_confirmed'],
      [3, '15:00', 'email', 'service.appointment_tomorrow'],
      [4, '16:00', 'email', 'service.ready_for_pickup'],
    ]);
    expect(local(first.at).slice(11, 13)).toBe('09');
  });
});
