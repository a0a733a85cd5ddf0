import type { Channel, DecisionData } from '@onevoice/contracts';
import { clockWindow } from '../policy-config';
import { nextAllowedEverywhere } from '../zoned-time';

export type Fallback = NonNullable<DecisionData['fallback']>;

/**
 * The next channel a message may fall back to at `now`: the first of the decision's fallback
 * channels whose next allowed window (its quiet hours, in the customer's time zone — and in every
 * market's named with it when that is not known — after any do-not-disturb) opens before the message expires; with that window and what is left after it.
 */
export function nextFallback(
  fallback: Fallback,
  now: number,
  /** A channel the customer has refused since the decision (rule 1): skipped. */
  refused: (channel: Channel) => boolean = () => false,
): { channel: Channel; sendAfter: Date; sendBefore: Date; rest: Fallback | undefined } | undefined {
  const until = Date.parse(fallback.until);
  const from = Math.max(now, fallback.notBefore ? Date.parse(fallback.notBefore) : 0);
  for (const [i, next] of fallback.channels.entries()) {
    if (refused(next.channel)) continue;
    const window = nextAllowedEverywhere(
      from,
      [fallback.timeZone, ...(next.alsoIn ?? [])],
      next.quietHours.map(clockWindow),
    );
    if (!window || window.start >= until) continue;
    const channels = fallback.channels.slice(i + 1);
    return {
      channel: next.channel,
      sendAfter: new Date(window.start),
      sendBefore: new Date(Math.min(window.end, until)),
      rest: channels.length > 0 ? { ...fallback, channels } : undefined,
    };
  }
  return undefined;
}
