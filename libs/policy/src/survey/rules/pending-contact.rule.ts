import { iso, type GateContext, type Reason, type SurveyRecord } from '../model';

/**
 * A survey waits while another message is about to reach the customer (a check-in call, say):
 * asking for a rating before the conversation is over is the omni-spam we end. It waits at most
 * `maxHoldForContact` for any one message.
 */
export function pendingContactRule(
  s: SurveyRecord,
  ctx: GateContext,
): { until: number; reason: Reason } | undefined {
  const pending = ctx.ledger.contacts
    .filter(
      (c) =>
        c.state === 'pending' && c.decidedAt.getTime() + ctx.policy.maxHoldForContactMs > ctx.now,
    )
    .sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime());
  const latest = pending[pending.length - 1];
  if (!latest) return undefined;
  const until = Math.min(
    latest.decidedAt.getTime() + ctx.policy.maxHoldForContactMs,
    s.expiresAt.getTime(),
  );
  return {
    until,
    reason: {
      rule: 'pending-contact',
      code: 'contact_pending',
      text: `Held: another message to the customer (${latest.decisionId}) has not gone out yet; asked after it, at the latest ${iso(until)}.`,
    },
  };
}
