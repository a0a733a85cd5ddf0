import type { ProfileData } from '@onevoice/contracts';
import { optOutWords } from '@onevoice/policy';

type Choices = Pick<
  ProfileData,
  | 'timeZone'
  | 'quietHours'
  | 'doNotDisturbUntil'
  | 'preferredChannel'
  | 'categoryChannels'
  | 'optOuts'
  | 'consents'
  | 'frequency'
>;

/** What a customer has said before saying anything. */
const NOTHING_SAID: Choices = {
  categoryChannels: {},
  optOuts: [],
  consents: [],
  frequency: 'as_it_comes',
};

const consentText = (c: ProfileData['consents'][number]) => `${c.purpose} by ${c.channel}`;

/** What is in `after` and not in `before`, compared by their text. */
function added<T>(before: readonly T[], after: readonly T[], text: (t: T) => string): string[] {
  const had = new Set(before.map(text));
  return after.map(text).filter((t) => !had.has(t));
}

/**
 * What changed in what the customer said (never what their behaviour suggests), as phrases an
 * agent can read: "prefers sms (was email)", "opted out of promotion messages". None: nothing the
 * customer said changed. `before` is undefined for a customer's first profile.
 */
export function choicesChanged(before: Choices | undefined, after: Choices): string[] {
  const was = before ?? NOTHING_SAID;
  const changes: string[] = [];
  if (was.preferredChannel !== after.preferredChannel)
    changes.push(
      after.preferredChannel
        ? `prefers ${after.preferredChannel}${was.preferredChannel ? ` (was ${was.preferredChannel})` : ''}`
        : `no longer prefers ${was.preferredChannel}`,
    );
  const categories = new Set([
    ...Object.keys(was.categoryChannels),
    ...Object.keys(after.categoryChannels),
  ]) as Set<keyof Choices['categoryChannels']>;
  for (const category of categories) {
    const from = was.categoryChannels[category];
    const to = after.categoryChannels[category];
    if (from !== to)
      changes.push(
        to ? `${category} messages by ${to}` : `no channel of their own for ${category} messages`,
      );
  }
  for (const o of added(was.optOuts, after.optOuts, optOutWords)) changes.push(`opted out of ${o}`);
  for (const o of added(after.optOuts, was.optOuts, optOutWords))
    changes.push(`opted back in to ${o}`);
  for (const c of added(was.consents, after.consents, consentText))
    changes.push(`consented to ${c}`);
  for (const c of added(after.consents, was.consents, consentText))
    changes.push(`withdrew consent to ${c}`);
  if (was.timeZone !== after.timeZone)
    changes.push(after.timeZone ? `time zone ${after.timeZone}` : 'time zone no longer known');
  const hours = (q: Choices['quietHours']) => (q ? `${q.start}–${q.end}` : undefined);
  if (hours(was.quietHours) !== hours(after.quietHours))
    changes.push(
      after.quietHours ? `quiet hours ${hours(after.quietHours)}` : 'no quiet hours of their own',
    );
  if (was.doNotDisturbUntil !== after.doNotDisturbUntil)
    changes.push(
      after.doNotDisturbUntil
        ? `do not disturb until ${after.doNotDisturbUntil}`
        : 'do not disturb lifted',
    );
  if (was.frequency !== after.frequency)
    changes.push(`frequency: ${after.frequency.replaceAll('_', ' ')}`);
  return changes;
}
