import type { GateContext, Reason, SurveyRecord } from '../model';

/**
 * A stable number in [0, 1) for a customer and survey type (FNV-1a): the same pair always gets
 * the same answer, so a replay, a second instance or a retry samples exactly as the first did.
 */
export function samplePoint(customerId: string, surveyType: string): number {
  let h = 0x811c9dc5;
  const text = `${surveyType}\u0000${customerId}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

/** Only the sampled share of customers is asked each survey type. */
export function samplingRule(s: SurveyRecord, ctx: GateContext): Reason | undefined {
  const type = ctx.policy.types[s.surveyType];
  if (!type || samplePoint(ctx.ledger.customerId, s.surveyType) < type.sample) return undefined;
  return {
    rule: 'sampling',
    code: 'not_sampled',
    text: `Not sent: ${s.surveyType} asks ${Math.round(type.sample * 100)}% of customers, and this customer is not in that sample.`,
  };
}
