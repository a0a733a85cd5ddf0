import { Story, StoryCalendar, testStack, zoneAtHours } from '@onevoice/testing';

/**
 * An outage through an evening and a night: only affected customers are told; update 2 follows
 * update 1 on the same channel (SMS, 18:00 and 20:00) and a late copy of update 1 is dropped; no
 * promotion reaches an affected customer during the outage; the resolution at 01:30, critical and
 * inside quiet hours, goes at once by push, which does not disturb. Three messages to the
 * affected customer, none to the other.
 */
describe('story: an outage', () => {
  const stack = testStack();
  let affected: Story;
  let unaffected: Story;

  beforeAll(async () => {
    [affected, unaffected] = await Promise.all([
      Story.begin(stack, 'outage-in'),
      Story.begin(stack, 'outage-out'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([affected.end(), unaffected.end()]);
  });

  it('over an evening and a night: tells only the affected customer, updates without stacking, keeps promotions away', async () => {
    const outageId = `fibre-${affected.customerId}`;
    // Both on a clock that reads 17:xx now: the outage runs through the evening and the night.
    const zone = zoneAtHours(17, 17);
    await Promise.all([
      affected.profile({ timeZone: zone, preferredChannel: 'sms' }),
      unaffected.profile({ timeZone: zone, preferredChannel: 'sms' }),
    ]);
    const calendar = new StoryCalendar(zone, affected.now());

    // Day 1, 18:00: the outage starts in the affected customer's area.
    await affected.advanceTo(calendar.at(1, '18:00'));
    await affected.send('network', 'case.opened', { caseId: outageId, kind: 'outage' });
    await affected.waitFor('the outage case', async () =>
      (await affected.timeline()).some((e) => e.kind === 'case') ? true : undefined,
    );
    const outage = (update: number, eta: string) => ({
      intentKey: `outage:${outageId}`,
      update,
      variables: { service: 'Internet', area: 'Northside', eta },
      action: { url: 'https://status.example.test/fibre' },
    });
    const [toAffected, toUnaffected] = await Promise.all([
      affected.send('network', 'network.outage', outage(1, '21:00')),
      unaffected.send('network', 'network.outage', outage(1, '21:00')),
    ]);
    await Promise.all([affected.decided(toAffected), unaffected.decided(toUnaffected)]);
    expect(affected.decisions()[0]!.data).toMatchObject({ outcome: 'approved', channel: 'sms' });
    expect(unaffected.decisions()[0]!.data).toMatchObject({ outcome: 'suppressed' });
    expect(unaffected.decisions()[0]!.data.reasons).toEqual([
      expect.objectContaining({ code: 'not_affected' }),
    ]);
    await affected.sentFor(toAffected);

    // 18:30: loyalty's promotion is held back during the outage.
    await affected.advanceTo(calendar.at(1, '18:30'));
    const promo = await affected.send('loyalty', 'loyalty.offer', {
      intentKey: `offer:${affected.customerId}:winter`,
      variables: { offer: '20% off a faster plan' },
      action: { url: 'https://shop.example.test/winter' },
    });
    // 20:00: update 2; 20:10: a late copy of update 1 (a retry from the network system).
    await affected.advanceTo(calendar.at(1, '20:00'));
    const second = await affected.send('network', 'network.outage', outage(2, '23:00'));
    await affected.decided(promo, second);
    await affected.sentFor(second);
    await affected.advanceTo(calendar.at(1, '20:10'));
    const late = await affected.send('network', 'network.outage', outage(1, '21:00'));
    await affected.decided(late);

    const byRequest = (id: string) => byRequestIn(affected, id);
    expect(byRequest(promo)).toMatchObject({ outcome: 'suppressed' });
    expect(byRequest(promo).reasons).toEqual([
      expect.objectContaining({ code: 'conflict_outage' }),
    ]);
    expect(byRequest(second)).toMatchObject({ outcome: 'approved', channel: 'sms' });
    expect(byRequest(late)).toMatchObject({ outcome: 'suppressed' });
    expect(byRequest(late).reasons).toEqual([expect.objectContaining({ code: 'superseded' })]);

    // Day 2, 01:30: fixed. The affected customer hears it is over; the other never hears of it.
    await affected.advanceTo(calendar.at(2, '01:30'));
    await affected.send('network', 'case.closed', { caseId: outageId, kind: 'outage' });
    const resolved = (story: Story) =>
      story.send('network', 'network.outage_resolved', {
        intentKey: `outage:${outageId}:resolved`,
        variables: { service: 'Internet', area: 'Northside' },
        action: { url: 'https://status.example.test/fibre' },
      });
    const [endA, endB] = await Promise.all([resolved(affected), resolved(unaffected)]);
    await Promise.all([affected.decided(endA), unaffected.decided(endB)]);
    await affected.sentFor(endA);
    // Inside the night's quiet hours, critical: at once, on a channel that does not disturb.
    expect(byRequest(endA)).toMatchObject({ outcome: 'approved', channel: 'push' });
    expect(byRequest(endA).reasons.map((r) => r.code)).toContain('critical_silent_channel');
    expect(affected.receivedOn(calendar)).toEqual([
      [1, '18:00', 'sms', 'network.outage'],
      [1, '20:00', 'sms', 'network.outage'],
      [2, '01:30', 'push', 'network.outage_resolved'],
    ]);
    expect(byRequestIn(unaffected, endB)).toMatchObject({ outcome: 'suppressed' });
    expect(unaffected.received()).toEqual([]);
  });
});

function byRequestIn(story: Story, id: string) {
  return [...story.standing().values()].find((d) => d.data.requestId === id)!.data;
}
