import { Story, testStack, zoneAtHours } from '@onevoice/testing';

/**
 * An outage alert that may go only by text (the network team restricted it) arrives at 02:xx, so
 * it waits for 08:00; the outage is over at 03:xx. What waits is called off when the case closes
 * (rule 12, targeting, after the fact: docs/design.md §4) — the customer does not wake up to an
 * outage that ended hours before. Found by the simulator's evening-outage story.
 */
describe('an outage over before the morning', () => {
  const stack = testStack();
  let story: Story;

  beforeAll(async () => {
    story = await Story.begin(stack, 'outage-over');
  });
  afterAll(() => story.end());

  it('calls off the alert still waiting for the morning when the outage case closes', async () => {
    const zone = zoneAtHours(2, 2);
    await story.profile({ timeZone: zone, preferredChannel: 'sms' });
    const caseId = `outage-${story.customerId}`;
    await story.send('network', 'case.opened', { caseId, kind: 'outage' });
    await story.waitFor('the outage case', async () =>
      (await story.timeline()).some((e) => e.kind === 'case') ? true : undefined,
    );
    const alert = await story.send('network', 'network.outage', {
      intentKey: caseId,
      variables: { service: 'Internet', area: 'Northside', eta: '04:00' },
      action: { url: 'https://status.example.test/n' },
      channels: ['sms'],
    });
    await story.decided(alert);
    const [held] = story.decisions();
    expect(held!.data).toMatchObject({ outcome: 'approved', channel: 'sms' });
    expect(held!.data.reasons.map((r) => r.code)).toContain('quiet_hours');

    await story.send('network', 'case.closed', { caseId, kind: 'outage' });
    const calledOff = await story.waitFor('the alert called off', () =>
      story.decisions().find((d) => d.data.outcome === 'suppressed'),
    );
    expect(calledOff.data).toMatchObject({ requestId: alert, replaces: held!.data.decisionId });
    expect(calledOff.data.reasons).toEqual([
      expect.objectContaining({ rule: 'targeting', code: 'not_affected' }),
    ]);
    // The dispatcher drops what it had scheduled: nothing is sent.
    await story.waitFor('the scheduled text cancelled', () =>
      story.deliveries().find((d) => d.data.state === 'cancelled'),
    );
    expect(story.deliveries().some((d) => d.data.state === 'sent')).toBe(false);
  });
});
