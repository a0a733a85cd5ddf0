import { iso, type GateContext, type Reason, type SurveyRecord } from '../model';

/** A survey request waits briefly for competing ones, so priority picks, not arrival order. */
export function settleRule(
  s: SurveyRecord,
  ctx: GateContext,
): { until: number; reason: Reason } | undefined {
  const until = s.receivedAt.getTime() + ctx.policy.settleMs;
  if (ctx.now >= until) return undefined;
  return {
    until,
    reason: {
      rule: 'settle',
      code: 'settling',
      text: `Held until ${iso(until)} for other surveys about the same customer to arrive.`,
    },
  };
}
