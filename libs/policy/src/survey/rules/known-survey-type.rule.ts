import type { GateContext, Reason, SurveyRecord } from '../model';

/** A survey type the policy does not name is never sent: nobody set its sampling or priority. */
export function knownSurveyTypeRule(s: SurveyRecord, ctx: GateContext): Reason | undefined {
  if (Object.hasOwn(ctx.policy.types, s.surveyType)) return undefined;
  return {
    rule: 'known-survey-type',
    code: 'unknown_survey_type',
    text: `Not sent: "${s.surveyType}" is not a survey type of survey policy ${ctx.policy.version} (${Object.keys(ctx.policy.types).join(', ')}).`,
  };
}
