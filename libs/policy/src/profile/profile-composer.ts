import type { ProfileData } from '@onevoice/contracts';
import type { Inference } from './behaviour';
import type { ExplicitPreferences } from './explicit-preferences';

/**
 * The profile the coordinator decides with: what the customer said, and what their behaviour
 * shows — the general inference best first, then any kind of message where it differs.
 */
export function composeProfile(
  customerId: string,
  version: number,
  prefs: ExplicitPreferences,
  inference: Inference,
): ProfileData {
  const general = inference.channels.slice(0, 3).map((a) => ({
    channel: a.channel,
    confidence: a.confidence,
  }));
  return {
    customerId,
    version,
    ...(prefs.timeZone ? { timeZone: prefs.timeZone } : {}),
    ...(prefs.quietHours ? { quietHours: prefs.quietHours } : {}),
    ...(prefs.doNotDisturbUntil ? { doNotDisturbUntil: prefs.doNotDisturbUntil } : {}),
    ...(prefs.preferredChannel ? { preferredChannel: prefs.preferredChannel } : {}),
    categoryChannels: prefs.categoryChannels,
    optOuts: prefs.optOuts,
    consents: prefs.consents,
    frequency: prefs.frequency,
    inferred: [
      ...inference.byCategory.map((c) => ({
        channel: c.channel,
        confidence: c.confidence,
        category: c.category as NonNullable<ProfileData['inferred'][number]['category']>,
      })),
      ...general,
    ],
    ...(inference.activeHours.length > 0 ? { activeHours: inference.activeHours } : {}),
  };
}

/**
 * What must change before a new profile is worth publishing: anything the customer said, the
 * inferred channels, or a confidence moving by a whole `step` — not every decayed decimal.
 */
export function materialKey(profile: ProfileData, step: number): string {
  const bucket = (x: number) => Math.floor(x / step);
  const { version: _v, inferred, activeHours, ...said } = profile;
  return JSON.stringify({
    said,
    inferred: inferred.map((i) => [i.category ?? '', i.channel, bucket(i.confidence)]),
    hours: activeHours?.[0],
  });
}
