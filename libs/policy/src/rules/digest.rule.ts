import { because, customerTime, defer, type Rule } from '../context';

/**
 * Rule 7: several low-urgency messages inside the digest window go out as one. A low-urgency
 * message joins one already waiting; the first waits for the window, so others can join it.
 */
export const digestRule: Rule = (ctx) => {
  const { request, ledger, policy, now } = ctx;
  const digestible =
    request.urgency === 'low' ||
    (ctx.profile.frequency !== undefined &&
      ctx.profile.frequency !== 'as_it_comes' &&
      request.urgency === 'normal');
  // A held digest whose time has come goes out (with what joined it); it is not held again.
  if (!digestible || request.reminder || request.heldBefore) return undefined;
  const waiting = ledger.decisions.find(
    (d) =>
      d.outcome === 'deferred' &&
      d.urgency === request.urgency &&
      d.at !== undefined &&
      d.at.getTime() - now <= policy.digestWindowMs &&
      // Not earlier than this one may go, and on a channel both may use.
      d.at.getTime() >= ctx.sendAfter &&
      channelsMeet(d.allowedChannels, request.allowedChannels) &&
      d.requestId !== request.requestId,
  );
  if (waiting) {
    ctx.reasons.push({
      rule: 'digest',
      code: 'merged_into_digest',
      text: `Merged into the digest waiting to go out at ${customerTime(waiting.at!.getTime(), ctx.profile.timeZone)}.`,
    });
    return { outcome: 'merged', into: waiting.decisionId, reasons: ctx.reasons };
  }
  const window =
    ctx.profile.frequency === 'weekly_digest'
      ? 7 * 86_400_000
      : ctx.profile.frequency === 'daily_digest'
        ? 86_400_000
        : policy.digestWindowMs;
  const until = Math.max(ctx.sendAfter, now + window);
  if (until >= request.expiresAt.getTime()) {
    because(
      ctx,
      'digest',
      'digest_skipped',
      'Sent on its own: it would expire before the digest goes out.',
    );
    return undefined;
  }
  return defer(
    ctx,
    'digest',
    'held_for_digest',
    until,
    `Held until ${customerTime(until, ctx.profile.timeZone)} so that other low-urgency messages can go out with it, as one.`,
  );
};

function channelsMeet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return !a || !b || a.some((c) => b.includes(c));
}
