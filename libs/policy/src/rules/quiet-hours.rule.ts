import type { Channel } from '@onevoice/contracts';
import {
  because,
  customerClock,
  customerTime,
  suppress,
  type DecisionContext,
  type Rule,
} from '../context';
import { clockWindow, type ClockWindow } from '../policy-config';
import { isQuiet, localMinutes, nextAllowedEverywhere } from '../zoned-time';

/** The windows a channel may not be used in: the customer's (or the default), and the channel's own. */
export function quietFor(ctx: DecisionContext, channel: Channel): ClockWindow[] {
  const { policy, profile } = ctx;
  const windows = [
    profile.quietHours ? clockWindow(profile.quietHours) : policy.quietHours.default,
  ];
  const strict = policy.quietHours.strictest[channel];
  if (strict) windows.push(strict);
  return windows;
}

/**
 * The zones whose quiet hours a channel keeps: the customer's; for a customer whose zone is not
 * known, every market's (an email at 08:00 in New York reaches Los Angeles at 05:00: simulated,
 * that was most of the night-time messages, docs/simulation.md).
 */
export function zonesFor(ctx: DecisionContext): string[] {
  const { profile, policy } = ctx;
  if (!profile.zoneUnknown) return [profile.timeZone];
  return [...new Set([profile.timeZone, ...policy.timeZones.markets])];
}

/** A silent channel known to reach this customer: the intent's, or one they chose or use. */
function silentChannelFor(ctx: DecisionContext): Channel | undefined {
  const { profile, request } = ctx;
  const known = new Set<string>([
    ...request.defaultChannels,
    ...(profile.preferredChannel ? [profile.preferredChannel] : []),
    ...Object.values(profile.categoryChannels ?? {}),
    ...(profile.inferred ?? []).map((i) => i.channel),
  ]);
  return ctx.policy.quietHours.silentChannels.find(
    (ch) =>
      known.has(ch) &&
      ctx.candidates.includes(ch as Channel) &&
      (!request.allowedChannels || request.allowedChannels.includes(ch as Channel)),
  ) as Channel | undefined;
}

/**
 * Rule 10: never inside the customer's quiet hours (their time zone; stricter for voice and
 * SMS) or do-not-disturb: the send window moves to the next allowed moment. A critical message
 * may instead go at once on a silent channel the customer allows.
 */
export const quietHoursRule: Rule = (ctx) => {
  const channel = ctx.channel!;
  const { profile, request } = ctx;
  const dnd = profile.doNotDisturbUntil?.getTime();
  const from = dnd !== undefined && dnd > ctx.sendAfter ? dnd : ctx.sendAfter;
  const quietNow = (ch: Channel) =>
    zonesFor(ctx).some((zone) =>
      quietFor(ctx, ch).some((w) => isQuiet(localMinutes(from, zone), w)),
    );

  if (request.urgency === 'critical' && (from > ctx.sendAfter || quietNow(channel))) {
    const silent = ctx.keptForContinuity
      ? // A channel kept for continuity (an update) stays: one intent, one channel. If it does
        // not disturb, the update goes at once — not after the all-clear (simulated: an outage
        // update held to 08:00 reached the customer after the outage was over).
        ctx.policy.quietHours.silentChannels.includes(channel)
        ? channel
        : undefined
      : silentChannelFor(ctx);
    if (silent) {
      ctx.channel = silent;
      ctx.sendBefore = request.expiresAt.getTime();
      because(
        ctx,
        'quiet-hours',
        'critical_silent_channel',
        `Critical, inside quiet hours: sent at once by ${silent}, which does not disturb.`,
      );
      return undefined;
    }
  }
  const zones = zonesFor(ctx);
  const window = nextAllowedEverywhere(from, zones, quietFor(ctx, ctx.channel!));
  if (!window)
    return suppress(
      ctx,
      'quiet-hours',
      'no_allowed_time',
      'Not sent: the customer’s quiet hours leave no time for this channel.',
    );
  if (window.start >= request.expiresAt.getTime()) {
    return suppress(
      ctx,
      'quiet-hours',
      'expired',
      `Not sent: it expires before the customer’s quiet hours end (${customerTime(window.start, profile.timeZone)}).`,
    );
  }
  if (window.start > ctx.sendAfter) {
    const disturbed = dnd !== undefined && dnd > ctx.sendAfter;
    const why = !disturbed
      ? zones.length > 1
        ? `outside quiet hours in every market (${zones.join(', ')}): their time zone is not known`
        : 'outside their quiet hours'
      : window.start > dnd
        ? `they asked not to be disturbed until ${customerClock(dnd, profile.timeZone)}, and then it is their quiet hours`
        : 'they asked not to be disturbed until then';
    because(
      ctx,
      'quiet-hours',
      disturbed ? 'do_not_disturb' : 'quiet_hours',
      `Held until ${customerTime(window.start, profile.timeZone)}: ${why}.`,
    );
  }
  ctx.sendAfter = window.start;
  ctx.sendBefore = Math.min(window.end, request.expiresAt.getTime());
  return undefined;
};
