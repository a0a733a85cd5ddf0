import type { ProfileData } from '@onevoice/contracts';
import { choicesChanged } from './choices';

const profile = (said: Partial<ProfileData> = {}): ProfileData => ({
  customerId: 'c-1',
  version: 1,
  categoryChannels: {},
  optOuts: [],
  consents: [],
  frequency: 'as_it_comes',
  inferred: [],
  ...said,
});

describe('choicesChanged', () => {
  it('says nothing when only behaviour changed', () => {
    expect(
      choicesChanged(
        profile(),
        profile({ version: 2, inferred: [{ channel: 'chat', confidence: 0.9 }] }),
      ),
    ).toEqual([]);
    expect(choicesChanged(undefined, profile())).toEqual([]);
  });

  it("names a first profile's choices against what nobody said", () => {
    expect(
      choicesChanged(
        undefined,
        profile({
          preferredChannel: 'sms',
          optOuts: [{ channel: 'voice' }],
          timeZone: 'Asia/Tokyo',
        }),
      ),
    ).toEqual(['prefers sms', 'opted out of voice', 'time zone Asia/Tokyo']);
  });

  it('names each change, back and forth', () => {
    const before = profile({
      preferredChannel: 'email',
      categoryChannels: { billing: 'email' },
      optOuts: [{ category: 'promotion' }],
      consents: [{ channel: 'sms', purpose: 'marketing' }],
      quietHours: { start: '21:00', end: '08:00' },
    });
    const after = profile({
      preferredChannel: 'sms',
      categoryChannels: { service: 'sms' },
      optOuts: [{ channel: 'sms', category: 'survey' }],
      consents: [],
      doNotDisturbUntil: '2026-12-24T00:00:00Z',
      frequency: 'weekly_digest',
    });
    expect(choicesChanged(before, after)).toEqual([
      'prefers sms (was email)',
      'no channel of their own for billing messages',
      'service messages by sms',
      'opted out of survey messages by sms',
      'opted back in to promotion messages',
      'withdrew consent to marketing by sms',
      'no quiet hours of their own',
      'do not disturb until 2026-12-24T00:00:00Z',
      'frequency: weekly digest',
    ]);
    expect(choicesChanged(after, profile())).toContain('no longer prefers sms');
  });
});
