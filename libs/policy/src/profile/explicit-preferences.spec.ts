import type { PreferenceChangedData } from '@onevoice/contracts';
import {
  applyPreferenceChange,
  noPreferences,
  replacePreferences,
  smsKeywordChange,
} from './explicit-preferences';

const meta = {
  at: new Date('2026-11-23T10:00:00Z'),
  via: 'web',
  source: 'preference-centre',
  wordingVersion: 'w1',
};

describe('explicit preferences and the consent ledger', () => {
  it('records an opt-out, and lifts it with an opt-in that also records consent for the pair', () => {
    const out = applyPreferenceChange(
      noPreferences(),
      { optOut: [{ channel: 'sms', category: 'promotion' }] },
      meta,
    );
    expect(out.prefs.optOuts).toEqual([{ channel: 'sms', category: 'promotion' }]);
    expect(out.entries).toEqual([
      expect.objectContaining({
        action: 'opted_out',
        channel: 'sms',
        scope: 'promotion',
        via: 'web',
        source: 'preference-centre',
      }),
    ]);
    const back = applyPreferenceChange(
      out.prefs,
      { optIn: [{ channel: 'sms', category: 'promotion' }] },
      meta,
    );
    expect(back.prefs.optOuts).toEqual([]);
    expect(back.prefs.consents).toEqual([
      { channel: 'sms', purpose: 'promotion', wordingVersion: 'w1' },
    ]);
    expect(back.entries.map((e) => e.action)).toEqual(['opted_in', 'consent_given']);
  });

  it('withdraws a consent as easily as it was given', () => {
    const given = applyPreferenceChange(
      noPreferences(),
      { consent: { channel: 'voice', purpose: 'promotion', wordingVersion: 'v3' } },
      meta,
    );
    expect(given.entries[0]).toMatchObject({
      action: 'consent_given',
      wordingVersion: 'v3',
      at: '2026-11-23T10:00:00.000Z',
    });
    const gone = applyPreferenceChange(
      given.prefs,
      { withdrawConsent: { channel: 'voice', purpose: 'promotion' } },
      meta,
    );
    expect(gone.prefs.consents).toEqual([]);
    expect(gone.entries[0]).toMatchObject({ action: 'consent_withdrawn', channel: 'voice' });
  });

  it('STOP opts out of SMS and takes every SMS consent with it; START lifts it; HELP changes nothing', () => {
    const consented = applyPreferenceChange(
      noPreferences(),
      { consent: { channel: 'sms', purpose: 'promotion', wordingVersion: 'v1' } },
      meta,
    ).prefs;
    const stop = smsKeywordChange(' stop ');
    expect(stop?.kind).toBe('stop');
    const stopped = applyPreferenceChange(
      consented,
      (stop as { change: PreferenceChangedData }).change,
      {
        ...meta,
        via: 'sms',
      },
    );
    expect(stopped.prefs.optOuts).toEqual([{ channel: 'sms' }]);
    expect(stopped.prefs.consents).toEqual([]);
    expect(stopped.entries.map((e) => e.action)).toEqual(['opted_out', 'consent_withdrawn']);
    const start = smsKeywordChange('START') as { change: PreferenceChangedData };
    expect(applyPreferenceChange(stopped.prefs, start.change, meta).prefs.optOuts).toEqual([]);
    expect(smsKeywordChange('HELP')).toEqual({ kind: 'help' });
    expect(smsKeywordChange('see you tomorrow')).toBeUndefined();
  });

  it('replacing preferences records what changed, line by line', () => {
    const before = { ...noPreferences(), optOuts: [{ channel: 'voice' as const }] };
    const after = {
      ...noPreferences(),
      preferredChannel: 'email' as const,
      optOuts: [{ category: 'promotion' as const }],
      consents: [{ channel: 'sms' as const, purpose: 'usage' }],
    };
    const { entries } = replacePreferences(before, after, meta);
    expect(entries.map((e) => e.action)).toEqual([
      'opted_out',
      'opted_in',
      'consent_given',
      'preferences_changed',
    ]);
    expect(entries[3]!.detail).toContain('preferredChannel email');
  });
});
