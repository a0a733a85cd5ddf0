import { suppress, type Rule } from '../context';
import type { LedgerDecision } from '../model';

/**
 * Rule 2: the same intent (same intentKey), from any department, on any channel, within its
 * lifetime, is one message: a duplicate merges into the one still waiting, or is suppressed when
 * that one went out. Reminders (the coordinator's own follow-ups) and newer updates of an
 * intent (news, which the supersession rule has already checked) pass here.
 */
export const oneChannelPerIntentRule: Rule = (ctx) => {
  const { request } = ctx;
  if (request.reminder || request.update !== undefined) return undefined;
  let waiting: LedgerDecision | undefined;
  let sent: LedgerDecision | undefined;
  for (const d of ctx.sameIntent) {
    if (d.requestId === request.requestId) continue;
    if (d.outcome === 'deferred' || (d.outcome === 'approved' && !d.sent)) waiting ??= d;
    else if (d.outcome === 'approved') sent ??= d;
  }
  if (waiting) {
    ctx.reasons.push({
      rule: 'one-channel-per-intent',
      code: 'merged_duplicate',
      text: `Merged: the same message ("${request.intentKey}") is already waiting to go out${waiting.channel ? ` by ${waiting.channel}` : ''}.`,
    });
    return { outcome: 'merged', into: waiting.decisionId, reasons: ctx.reasons };
  }
  if (!sent) return undefined;
  return suppress(
    ctx,
    'one-channel-per-intent',
    'duplicate_intent',
    `Not sent: the customer already got "${request.intentKey}"${sent.channel ? ` by ${sent.channel}` : ''}.`,
  );
};
