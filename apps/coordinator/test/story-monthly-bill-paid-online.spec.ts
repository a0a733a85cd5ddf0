import { Story, StoryCalendar, testStack, zoneAtHours } from '@onevoice/testing';

/**
 * A monthly bill, three months running, for a customer who pays online. Billing sends the bill
 * on days 1, 31 and 61 at 09:00; each bill plans one reminder three days after it went out,
 * called off by the payment. The customer pays the first bill the next day, the second only on
 * day 36 (the reminder comes first, on day 34 at 09:00), the third the same afternoon.
 *
 * What they receive over the 63 days: exactly four messages — the three bills and the one
 * reminder they needed — all by email, their choice, each at 09:00 their time; no call, and no
 * reminder for a bill already paid.
 */
describe('story: a monthly bill paid online, three months running', () => {
  const stack = testStack();
  let story: Story;

  beforeAll(async () => {
    story = await Story.begin(stack, 'monthly');
  });
  afterAll(() => story.end());

  it('gets each bill on time, and a reminder only for the one paid late', async () => {
    const zone = zoneAtHours(8, 8);
    await story.profile({ timeZone: zone, preferredChannel: 'email' });
    const calendar = new StoryCalendar(zone, story.now());
    const bill = (month: number) => ({
      intentKey: `bill:${story.customerId}:month-${month}`,
      variables: { amount: '39.90 EUR', dueDate: `day ${month * 30 + 14}` },
      action: { url: `https://pay.example.test/${story.customerId}/${month}` },
    });
    const pay = (month: number) =>
      story.send('billing', 'interaction.payment', {
        channel: 'web',
        amount: '39.90',
        fulfils: bill(month).intentKey,
      });
    const billOn = async (day: number, month: number) => {
      await story.advanceTo(calendar.at(day, '09:00'));
      const id = await story.send('billing', 'billing.payment_due', bill(month));
      const [decision] = await story.settled(id);
      expect(decision!.data).toMatchObject({ outcome: 'approved', channel: 'email' });
      await story.sentFor(id);
      return decision!;
    };

    // Month 1: the bill on day 1, paid on day 2; its reminder (day 4) is called off.
    const first = await billOn(1, 0);
    await story.advanceTo(calendar.at(2, '12:00'));
    await pay(0);
    await story.reminderCalledOff(first.data.decisionId);

    // Month 2: the bill on day 31; no payment by day 34, 09:00 — the reminder goes, by email.
    const second = await billOn(31, 1);
    await story.advanceTo(calendar.at(34, '09:00'));
    const reminder = await story.waitFor('the reminder of the second bill', () =>
      story
        .decisions()
        .find((d) => d.data.reminderOf === second.data.decisionId && d.data.outcome === 'approved'),
    );
    await story.sentFor(reminder.data.requestId);
    await story.advanceTo(calendar.at(36, '18:00'));
    await pay(1);

    // Month 3: the bill on day 61, paid that afternoon.
    const third = await billOn(61, 2);
    await story.advanceTo(calendar.at(61, '15:00'));
    await pay(2);
    await story.reminderCalledOff(third.data.decisionId);
    // Past the day the third bill's reminder would have come: nothing more.
    await story.advanceTo(calendar.at(65, '12:00'));

    expect(story.receivedOn(calendar)).toEqual([
      [1, '09:00', 'email', 'billing.payment_due'],
      [31, '09:00', 'email', 'billing.payment_due'],
      [34, '09:00', 'email', 'billing.payment_due'],
      [61, '09:00', 'email', 'billing.payment_due'],
    ]);
    // The reminder said which bill it was; no call was ever decided.
    expect(story.decisions().some((d) => d.data.channel === 'voice')).toBe(false);
  });
});
