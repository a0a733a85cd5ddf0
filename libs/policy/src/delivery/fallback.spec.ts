import { nextFallback, type Fallback } from './fallback';

const night = Date.parse('2026-11-23T22:30:00Z'); // 23:30 in Berlin
const voice = { channel: 'voice' as const, quietHours: [{ start: '20:00', end: '09:00' }] };
const push = { channel: 'push' as const, quietHours: [{ start: '21:00', end: '08:00' }] };
const fallback = (over: Partial<Fallback> = {}): Fallback => ({
  timeZone: 'Europe/Berlin',
  until: '2026-11-30T00:00:00Z',
  channels: [voice],
  ...over,
});

describe('the next fallback channel', () => {
  it('opens in the channel’s own window, in the customer’s time zone', () => {
    expect(nextFallback(fallback(), night)).toEqual({
      channel: 'voice',
      sendAfter: new Date('2026-11-24T08:00:00Z'), // 09:00 in Berlin
      sendBefore: new Date('2026-11-24T19:00:00Z'), // 20:00 in Berlin
      rest: undefined,
    });
  });

  it('goes at once when the channel is allowed now, and keeps the rest for later', () => {
    const noon = Date.parse('2026-11-23T11:00:00Z');
    const next = nextFallback(fallback({ channels: [voice, push] }), noon);
    expect(next?.sendAfter.getTime()).toBe(noon);
    expect(next?.rest?.channels).toEqual([push]);
  });

  it('a customer whose zone is not known: the channel opens only when every market allows it', () => {
    const next = nextFallback(
      fallback({
        timeZone: 'America/New_York',
        channels: [{ ...voice, alsoIn: ['America/Los_Angeles'] }],
      }),
      Date.parse('2026-11-23T14:30:00Z'), // 09:30 in New York, 06:30 in Los Angeles
    );
    expect(next?.sendAfter).toEqual(new Date('2026-11-23T17:00:00Z')); // 09:00 in Los Angeles
    expect(next?.sendBefore).toEqual(new Date('2026-11-24T01:00:00Z')); // 20:00 in New York
  });

  it('skips a channel the customer refused since the decision', () => {
    const noon = Date.parse('2026-11-23T11:00:00Z');
    const next = nextFallback(fallback({ channels: [voice, push] }), noon, (ch) => ch === 'voice');
    expect(next?.channel).toBe('push');
    expect(nextFallback(fallback(), noon, () => true)).toBeUndefined();
  });

  it('not before the customer’s do-not-disturb ends', () => {
    const next = nextFallback(
      fallback({ notBefore: '2026-11-25T12:00:00Z' }),
      Date.parse('2026-11-23T11:00:00Z'),
    );
    expect(next?.sendAfter).toEqual(new Date('2026-11-25T12:00:00Z'));
  });

  it('skips a channel that cannot open before the message expires; none left is none', () => {
    const soon = fallback({ until: '2026-11-24T06:00:00Z', channels: [voice, push] });
    // Voice opens at 09:00 Berlin (08:00Z), after expiry; push at 08:00 Berlin (07:00Z), too.
    expect(nextFallback(soon, night)).toBeUndefined();
    const pushFirst = fallback({ until: '2026-11-24T07:30:00Z', channels: [voice, push] });
    expect(nextFallback(pushFirst, night)).toMatchObject({
      channel: 'push',
      sendAfter: new Date('2026-11-24T07:00:00Z'),
      sendBefore: new Date('2026-11-24T07:30:00Z'),
      rest: undefined,
    });
  });
});
