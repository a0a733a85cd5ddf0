import {
  smsKeyword,
  type Category,
  type Channel,
  type PreferenceChangedData,
  type ProfileData,
} from '@onevoice/contracts';

/** What the customer said, which always beats what their behaviour suggests. */
export interface ExplicitPreferences {
  preferredChannel?: Channel;
  categoryChannels: Partial<Record<Category, Channel>>;
  optOuts: { channel?: Channel; category?: Category }[];
  consents: { channel: Channel; purpose: string; wordingVersion?: string }[];
  frequency: ProfileData['frequency'];
  quietHours?: { start: string; end: string };
  timeZone?: string;
  doNotDisturbUntil?: string;
}

export const noPreferences = (): ExplicitPreferences => ({
  categoryChannels: {},
  optOuts: [],
  consents: [],
  frequency: 'as_it_comes',
});

/** One line of the consent ledger: who changed what, when, through which channel, from where. */
export interface ConsentEntry {
  /** When OneVoice recorded it. */
  at: string;
  /** When its sender said it happened (an event's `time`), if it said. */
  statedAt?: string;
  action:
    | 'consent_given'
    | 'consent_withdrawn'
    | 'opted_out'
    | 'opted_in'
    | 'preferences_changed'
    | 'help_requested';
  channel?: Channel;
  /** A category, or a consent's purpose. */
  scope?: string;
  /** Through which channel the customer said it (web, sms, email link, agent, api). */
  via: string;
  /** Who recorded it (the preference centre, an agent, a department's system). */
  source: string;
  wordingVersion?: string;
  detail?: string;
}

export interface ChangeMeta {
  /** When OneVoice records the change (its clock): never the sender's word. */
  at: Date;
  /** When the sender said it happened, kept beside it. */
  statedAt?: Date;
  via: string;
  source: string;
  /** The wording the customer saw, for consents given on a page we control. */
  wordingVersion?: string;
}

/** What every consent-ledger line of one change shares: when, when it was said to be, via, from. */
export function ledgerEntryBase(
  meta: ChangeMeta,
): Pick<ConsentEntry, 'at' | 'statedAt' | 'via' | 'source'> {
  return {
    at: meta.at.toISOString(),
    ...(meta.statedAt ? { statedAt: meta.statedAt.toISOString() } : {}),
    via: meta.via,
    source: meta.source,
  };
}

const sameTarget = (
  a: { channel?: Channel; category?: Category },
  b: { channel?: Channel; category?: Category },
) => a.channel === b.channel && a.category === b.category;

/**
 * Applies a preference change: the new preferences, and what the consent ledger records of it.
 * Opting in to a channel for a category (SMS for promotions) records that consent too.
 */
export function applyPreferenceChange(
  before: ExplicitPreferences,
  change: PreferenceChangedData,
  meta: ChangeMeta,
): { prefs: ExplicitPreferences; entries: ConsentEntry[] } {
  const base = ledgerEntryBase(meta);
  const prefs: ExplicitPreferences = {
    ...before,
    categoryChannels: { ...before.categoryChannels },
    optOuts: [...before.optOuts],
    consents: [...before.consents],
  };
  const entries: ConsentEntry[] = [];
  const changed: string[] = [];

  for (const out of change.optOut ?? []) {
    if (!prefs.optOuts.some((o) => sameTarget(o, out))) prefs.optOuts.push({ ...out });
    entries.push({ ...base, action: 'opted_out', ...target(out) });
    // Out of a channel altogether: every consent given for it goes with it.
    if (out.channel && !out.category) {
      for (const c of prefs.consents.filter((x) => x.channel === out.channel))
        entries.push({
          ...base,
          action: 'consent_withdrawn',
          channel: c.channel,
          scope: c.purpose,
        });
      prefs.consents = prefs.consents.filter((x) => x.channel !== out.channel);
    }
  }
  for (const inn of change.optIn ?? []) {
    prefs.optOuts = prefs.optOuts.filter((o) => !sameTarget(o, inn) && !covers(inn, o));
    entries.push({ ...base, action: 'opted_in', ...target(inn) });
    if (inn.channel && inn.category) {
      addConsent(prefs, {
        channel: inn.channel,
        purpose: inn.category,
        wordingVersion: meta.wordingVersion,
      });
      entries.push({
        ...base,
        action: 'consent_given',
        channel: inn.channel,
        scope: inn.category,
        ...(meta.wordingVersion ? { wordingVersion: meta.wordingVersion } : {}),
      });
    }
  }
  if (change.consent) {
    addConsent(prefs, change.consent);
    entries.push({
      ...base,
      action: 'consent_given',
      channel: change.consent.channel,
      scope: change.consent.purpose,
      wordingVersion: change.consent.wordingVersion,
    });
  }
  if (change.withdrawConsent) {
    const w = change.withdrawConsent;
    prefs.consents = prefs.consents.filter(
      (c) => !(c.channel === w.channel && c.purpose === w.purpose),
    );
    entries.push({ ...base, action: 'consent_withdrawn', channel: w.channel, scope: w.purpose });
  }
  if (change.preferredChannel !== undefined) {
    prefs.preferredChannel = change.preferredChannel;
    changed.push(`preferred channel ${change.preferredChannel}`);
  }
  if (change.categoryChannels) {
    Object.assign(prefs.categoryChannels, change.categoryChannels);
    changed.push(...Object.entries(change.categoryChannels).map(([cat, ch]) => `${ch} for ${cat}`));
  }
  if (change.frequency) {
    prefs.frequency = change.frequency;
    changed.push(`frequency ${change.frequency}`);
  }
  if (change.quietHours) {
    prefs.quietHours = change.quietHours;
    changed.push(`quiet hours ${change.quietHours.start}–${change.quietHours.end}`);
  }
  if (change.timeZone) {
    prefs.timeZone = change.timeZone;
    changed.push(`time zone ${change.timeZone}`);
  }
  if (change.doNotDisturbUntil) {
    prefs.doNotDisturbUntil = change.doNotDisturbUntil;
    changed.push(`do not disturb until ${change.doNotDisturbUntil}`);
  }
  if (changed.length > 0)
    entries.push({ ...base, action: 'preferences_changed', detail: changed.join('; ') });
  return { prefs, entries };
}

/** SMS keywords that change consent at once (carriers require STOP and HELP to work). */
export function smsKeywordChange(
  text: string,
): { kind: 'stop' | 'start'; change: PreferenceChangedData } | { kind: 'help' } | undefined {
  const keyword = smsKeyword(text);
  if (keyword === 'stop') return { kind: 'stop', change: { optOut: [{ channel: 'sms' }] } };
  if (keyword === 'start') return { kind: 'start', change: { optIn: [{ channel: 'sms' }] } };
  if (keyword === 'help') return { kind: 'help' };
  return undefined;
}

function covers(
  general: { channel?: Channel; category?: Category },
  o: { channel?: Channel; category?: Category },
) {
  // Opting in to a channel lifts a channel-wide opt-out of it; to a category, a category-wide one.
  return (
    (general.channel !== undefined &&
      general.category === undefined &&
      o.channel === general.channel) ||
    (general.category !== undefined &&
      general.channel === undefined &&
      o.category === general.category)
  );
}

function target(t: { channel?: Channel; category?: Category }) {
  return {
    ...(t.channel ? { channel: t.channel } : {}),
    ...(t.category ? { scope: t.category } : {}),
  };
}

function addConsent(
  prefs: ExplicitPreferences,
  c: { channel: Channel; purpose: string; wordingVersion?: string | undefined },
) {
  prefs.consents = prefs.consents.filter(
    (x) => !(x.channel === c.channel && x.purpose === c.purpose),
  );
  prefs.consents.push({
    channel: c.channel,
    purpose: c.purpose,
    ...(c.wordingVersion ? { wordingVersion: c.wordingVersion } : {}),
  });
}

/**
 * Replaces the preferences with `after` (a form, a PUT), recording in the consent ledger what
 * that changed: each opt-out and opt-in, each consent given or withdrawn, and the rest.
 */
export function replacePreferences(
  before: ExplicitPreferences,
  after: ExplicitPreferences,
  meta: ChangeMeta,
): { prefs: ExplicitPreferences; entries: ConsentEntry[] } {
  const base = { at: meta.at.toISOString(), via: meta.via, source: meta.source };
  const key = (o: { channel?: string; category?: string }) =>
    `${o.channel ?? '*'}/${o.category ?? '*'}`;
  const had = new Set(before.optOuts.map(key));
  const has = new Set(after.optOuts.map(key));
  const entries: ConsentEntry[] = [
    ...after.optOuts
      .filter((o) => !had.has(key(o)))
      .map((o) => ({ ...base, action: 'opted_out' as const, ...target(o) })),
    ...before.optOuts
      .filter((o) => !has.has(key(o)))
      .map((o) => ({
        ...base,
        action: 'opted_in' as const,
        ...target(o),
        ...(meta.wordingVersion ? { wordingVersion: meta.wordingVersion } : {}),
      })),
  ];
  const ckey = (c: { channel: string; purpose: string }) => `${c.channel}/${c.purpose}`;
  const hadC = new Set(before.consents.map(ckey));
  const hasC = new Set(after.consents.map(ckey));
  for (const c of after.consents.filter((x) => !hadC.has(ckey(x))))
    entries.push({
      ...base,
      action: 'consent_given',
      channel: c.channel,
      scope: c.purpose,
      ...((c.wordingVersion ?? meta.wordingVersion)
        ? { wordingVersion: c.wordingVersion ?? meta.wordingVersion }
        : {}),
    });
  for (const c of before.consents.filter((x) => !hasC.has(ckey(x))))
    entries.push({ ...base, action: 'consent_withdrawn', channel: c.channel, scope: c.purpose });
  const changed = (['preferredChannel', 'frequency', 'timeZone', 'doNotDisturbUntil'] as const)
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k} ${after[k] ?? 'cleared'}`);
  if (JSON.stringify(before.quietHours) !== JSON.stringify(after.quietHours))
    changed.push(
      after.quietHours
        ? `quiet hours ${after.quietHours.start}–${after.quietHours.end}`
        : 'quiet hours cleared',
    );
  if (JSON.stringify(before.categoryChannels) !== JSON.stringify(after.categoryChannels))
    changed.push(`channels per kind of message ${JSON.stringify(after.categoryChannels)}`);
  if (changed.length > 0)
    entries.push({ ...base, action: 'preferences_changed', detail: changed.join('; ') });
  return { prefs: after, entries };
}
