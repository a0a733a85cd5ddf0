import { daytimeZone, Story, testStack } from '@onevoice/testing';

/**
 * An outage: only affected customers are told; update 2 follows update 1 on the same channel and
 * a late copy of update 1 is dropped; the resolution closes it; no promotion reaches an affected
 * customer during the outage.
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

  it('tells only the affected customer, updates without stacking, and keeps promotions away', async () => {
    const outageId = `fibre-${affected.customerId}`;
    await Promise.all([
      affected.profile({ timeZone: daytimeZone(), preferredChannel: 'sms' }),
      unaffected.profile({ timeZone: daytimeZone(), preferredChannel: 'sms' }),
    ]);
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
      affected.send('network', 'network.outage', outage(1, '18:00')),
      unaffected.send('network', 'network.outage', outage(1, '18:00')),
    ]);
    await Promise.all([affected.decided(toAffected), unaffected.decided(toUnaffected)]);
    expect(affected.decisions()[0]!.data).toMatchObject({ outcome: 'approved', channel: 'sms' });
    expect(unaffected.decisions()[0]!.data).toMatchObject({ outcome: 'suppressed' });
    expect(unaffected.decisions()[0]!.data.reasons).toEqual([
      expect.objectContaining({ code: 'not_affected' }),
    ]);

    // A promotion during the outage is held back.
    const promo = await affected.send('loyalty', 'loyalty.offer', {
      intentKey: `offer:${affected.customerId}:winter`,
      variables: { offer: '20% off a faster plan' },
      action: { url: 'https://shop.example.test/winter' },
    });
    // Update 2 comes; then a late copy of update 1 (a retry from the network system).
    const second = await affected.send('network', 'network.outage', outage(2, '20:00'));
    await affected.decided(promo, second);
    const late = await affected.send('network', 'network.outage', outage(1, '18:00'));
    await affected.decided(late);

    const standing = affected.standing();
    const byRequest = (id: string) =>
      [...standing.values()].find((d) => d.data.requestId === id)!.data;
    expect(byRequest(promo)).toMatchObject({ outcome: 'suppressed' });
    expect(byRequest(promo).reasons).toEqual([
      expect.objectContaining({ code: 'conflict_outage' }),
    ]);
    expect(byRequest(second)).toMatchObject({ outcome: 'approved', channel: 'sms' });
    expect(byRequest(late)).toMatchObject({ outcome: 'suppressed' });
    expect(byRequest(late).reasons).toEqual([expect.objectContaining({ code: 'superseded' })]);

    // The outage ends: the affected customer hears it is over; the other never hears of it.
    await affected.send('network', 'case.closed', { caseId: outageId, kind: 'outage' });
    const resolved = (story: Story) =>
      story.send('network', 'network.outage_resolved', {
        intentKey: `outage:${outageId}:resolved`,
        variables: { service: 'Internet', area: 'Northside' },
        action: { url: 'https://status.example.test/fibre' },
      });
    const [endA, endB] = await Promise.all([resolved(affected), resolved(unaffected)]);
    await Promise.all([affected.decided(endA), unaffected.decided(endB)]);
    expect(byRequestIn(affected, endA)).toMatchObject({ outcome: 'approved', channel: 'sms' });
    expect(byRequestIn(unaffected, endB)).toMatchObject({ outcome: 'suppressed' });
    expect(unaffected.decisions().some((d) => d.data.outcome === 'approved')).toBe(false);
  });
});

function byRequestIn(story: Story, id: string) {
  return [...story.standing().values()].find((d) => d.data.requestId === id)!.data;
}
