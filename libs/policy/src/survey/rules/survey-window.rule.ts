import { iso, type GateContext, type Reason, type SurveyRecord } from '../model';

/**
 * At most one survey per customer per window, across all departments. A survey the coordinator
 * then suppressed never reached the customer, and does not count.
 */
export function surveyWindowRule(s: SurveyRecord, ctx: GateContext): Reason | undefined {
  const since = ctx.now - ctx.policy.windowMs;
  const last = ctx.ledger.surveys.find(
    (o) =>
      o.key !== s.key &&
      o.status === 'approved' &&
      !o.droppedDownstream &&
      (o.decidedAt?.getTime() ?? 0) > since,
  );
  if (!last) return undefined;
  const days = Math.round(ctx.policy.windowMs / 86_400_000);
  return {
    rule: 'survey-window',
    code: 'survey_window',
    text: `Not sent: the customer was asked ${last.surveyType} on ${iso(last.decidedAt!.getTime()).slice(0, 10)}; one survey per ${days} days.`,
  };
}
