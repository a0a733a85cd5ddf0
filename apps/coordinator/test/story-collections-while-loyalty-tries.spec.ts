import { Story, StoryCalendar, testStack, zoneAtHours } from '@onevoice/testing';

/**
 * A collections case opens and closes over three weeks while loyalty keeps sending offers. No
 * promotion reaches a customer in collections (docs/design.md §4, rule 6); once the case closes
 * they may again, within the promotions budget.
 *
 *  - day 1, 09:00: a loyalty offer — low urgency, held four hours for a digest: sent 13:00;
 *  - day 3, 10:00: collections opens a case and sends "payment overdue": sent at once;
 *  - days 5 and 9: two more offers — dropped, the customer is in collections;
 *  - day 10, 10:00: the overdue notice's first reminder (seven days on, not engaged with);
 *  - day 12: the customer pays it; the second reminder is called off and the case closes;
 *  - day 15, 09:00: another offer — allowed again (the last promotion went out two weeks
 *    before), held for the digest: sent 13:00.
 *
 * Exactly four messages in 15 days, all by email: the first offer, the overdue notice, its one
 * reminder, and the offer after the case.
 */
describe('story: a collections case while loyalty keeps trying', () => {
  const stack = testStack();
  let story: Story;

  beforeAll(async () => {
    story = await Story.begin(stack, 'collections');
  });
  afterAll(() => story.end());

  it('no offer reaches the customer while the case is open; afterwards one does', async () => {
    const zone = zoneAtHours(8, 8);
    await story.profile({ timeZone: zone, preferredChannel: 'email' });
    const calendar = new StoryCalendar(zone, story.now());
    const offer = (n: number) =>
      story.send('loyalty', 'loyalty.offer', {
        intentKey: `offer:${story.customerId}:${n}`,
        variables: { offer: `Offer ${n}: 20% off a faster plan` },
        action: { url: `https://shop.example.test/offer/${n}` },
      });

    // Day 1: an offer, held for the digest window, then sent.
    await story.advanceTo(calendar.at(1, '09:00'));
    const offer1 = await offer(1);
    await story.decided(offer1);
    await story.playOut([offer1], calendar.at(1, '14:00'));
    await story.sentFor(offer1);

    // Day 3: collections opens a case and sends the overdue notice.
    await story.advanceTo(calendar.at(3, '10:00'));
    const caseId = `coll-${story.customerId}`;
    await story.send('collections', 'case.opened', { caseId, kind: 'collections' });
    const overdueKey = `overdue:${story.customerId}`;
    const overdue = await story.send('collections', 'collections.payment_overdue', {
      intentKey: overdueKey,
      variables: { amount: '79.80 EUR', dueDate: 'day 1' },
      action: { url: `https://pay.example.test/${story.customerId}` },
    });
    const [notice] = await story.settled(overdue);
    expect(notice!.data).toMatchObject({ outcome: 'approved', channel: 'email' });
    await story.sentFor(overdue);

    // Days 5 and 9: loyalty tries again; nothing goes while the case is open.
    const dropped: string[] = [];
    for (const day of [5, 9]) {
      await story.advanceTo(calendar.at(day, '09:00'));
      const id = await offer(day);
      const [d] = await story.settled(id);
      expect(d!.data).toMatchObject({ outcome: 'suppressed' });
      expect(d!.data.reasons).toEqual([
        expect.objectContaining({ rule: 'conflict', code: 'conflict_collections' }),
      ]);
      dropped.push(id);
    }

    // Day 10: seven days after the notice, not engaged with: its first reminder.
    await story.advanceTo(calendar.at(10, '10:00'));
    const reminder = await story.waitFor('the first reminder of the overdue notice', () =>
      story
        .decisions()
        .find(
          (d) => d.data.reminderOf === notice!.data.decisionId && d.data.outcome === 'approved',
        ),
    );
    await story.sentFor(reminder.data.requestId);
    // The coordinator has heard it went out and planned the second (a barrier: paying before
    // that, the payment would find no second reminder to call off).
    await story.waitFor('the second reminder planned', async () =>
      (await story.timeline()).find((e) => e.kind === 'reminder' && /^Reminder 2 /.test(e.summary)),
    );

    // Day 12: paid; the second reminder is called off and the case closes.
    await story.advanceTo(calendar.at(12, '11:00'));
    await story.send('billing', 'interaction.payment', {
      channel: 'web',
      amount: '79.80',
      fulfils: overdueKey,
    });
    await story.reminderCalledOff(notice!.data.decisionId);
    await story.send('collections', 'case.closed', { caseId, kind: 'collections' });
    await story.waitFor('the case closed on the timeline', async () =>
      (await story.timeline()).find((e) => e.kind === 'case' && /closed/.test(e.summary)),
    );

    // Day 15: an offer is allowed again.
    await story.advanceTo(calendar.at(15, '09:00'));
    const offer15 = await offer(15);
    await story.decided(offer15);
    await story.playOut([offer15], calendar.at(15, '14:00'));
    await story.sentFor(offer15);

    expect(story.receivedOn(calendar)).toEqual([
      [1, '13:00', 'email', 'loyalty.offer'],
      [3, '10:00', 'email', 'collections.payment_overdue'],
      [10, '10:00', 'email', 'collections.payment_overdue'],
      [15, '13:00', 'email', 'loyalty.offer'],
    ]);
    for (const id of dropped) expect(story.received().map((r) => r.requestId)).not.toContain(id);
  });
});
