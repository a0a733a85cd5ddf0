import { iso, type GateContext, type Reason, type SurveyRecord } from '../model';

/** No survey on the day another message reached the customer: it waits a day after the last one. */
export function afterContactRule(
  s: SurveyRecord,
  ctx: GateContext,
): { until: number; reason: Reason } | undefined {
  const recent = ctx.ledger.contacts
    .filter((c) => c.state === 'sent' && c.at.getTime() + ctx.policy.afterContactMs > ctx.now)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const last = recent[recent.length - 1];
  if (!last) return undefined;
  const until = Math.min(last.at.getTime() + ctx.policy.afterContactMs, s.expiresAt.getTime());
  return {
    until,
    reason: {
      rule: 'after-contact',
      code: 'contacted_today',
      text: `Held until ${iso(until)}: the customer already heard from us at ${iso(last.at.getTime())}.`,
    },
  };
}
