import { iso, type GateContext, type Reason, type SurveyRecord } from '../model';

/** A survey asked about an interaction long ago is no longer worth asking. */
export function surveyExpiryRule(s: SurveyRecord, ctx: GateContext): Reason | undefined {
  if (ctx.now < s.expiresAt.getTime()) return undefined;
  return {
    rule: 'survey-expiry',
    code: 'expired',
    text: `Not sent: its moment passed at ${iso(s.expiresAt.getTime())}.`,
  };
}
