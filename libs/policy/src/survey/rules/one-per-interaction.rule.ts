import type { GateContext, Reason, SurveyRecord } from '../model';

/** One interaction is surveyed once, whoever asks and with whichever survey. */
export function onePerInteractionRule(s: SurveyRecord, ctx: GateContext): Reason | undefined {
  const earlier = ctx.ledger.surveys.find(
    (o) => o.key !== s.key && o.status === 'approved' && o.interactionId === s.interactionId,
  );
  if (!earlier) return undefined;
  return {
    rule: 'one-per-interaction',
    code: 'interaction_already_surveyed',
    text: `Not sent: interaction ${s.interactionId} already has a survey (${earlier.surveyType}).`,
  };
}
