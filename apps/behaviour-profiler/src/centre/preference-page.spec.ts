import { noPreferences } from '@onevoice/policy';
import { preferencePage, preferencesFromForm } from './preference-page';

describe('the preference page and its time zone', () => {
  const form = { frequency: 'as_it_comes', channel_email: 'yes', channel_sms: 'yes' };

  it('shows no zone for a customer who never chose one, and saves none unless they do', () => {
    const html = preferencePage(noPreferences(), '/v1/preferences', 'a-token');
    expect(html).toContain('name="timeZone" value=""');
    expect(html).not.toContain('value="UTC"');
    const saved = preferencesFromForm(noPreferences(), { ...form, timeZone: '' });
    expect(saved).toMatchObject({ ok: true });
    if (saved.ok) expect(saved.prefs.timeZone).toBeUndefined();
  });

  it('saves the zone the customer chose, keeps one chosen before, and names a wrong one', () => {
    const chosen = preferencesFromForm(noPreferences(), { ...form, timeZone: 'America/Chicago' });
    expect(chosen.ok && chosen.prefs.timeZone).toBe('America/Chicago');
    const before = { ...noPreferences(), timeZone: 'Europe/Berlin' };
    const kept = preferencesFromForm(before, { ...form, timeZone: '' });
    expect(kept.ok && kept.prefs.timeZone).toBe('Europe/Berlin');
    expect(preferencesFromForm(noPreferences(), { ...form, timeZone: 'Mars/Olympus' })).toEqual({
      ok: false,
      field: 'timeZone',
      message: 'a time zone such as Europe/Berlin',
    });
  });
});
