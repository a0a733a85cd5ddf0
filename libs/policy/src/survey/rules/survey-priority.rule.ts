import type { GateContext, Reason, SurveyRecord } from '../model';

/** Which of several competing surveys is asked: the policy's priority, then the earliest. */
export function byPriority(ctx: GateContext) {
  const rank = (s: SurveyRecord) => ctx.policy.types[s.surveyType]?.rank ?? Infinity;
  return (a: SurveyRecord, b: SurveyRecord) =>
    rank(a) - rank(b) ||
    a.receivedAt.getTime() - b.receivedAt.getTime() ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** The reason a survey loses to `winner`. */
export function lowerPriority(loser: SurveyRecord, winner: SurveyRecord): Reason {
  return {
    rule: 'survey-priority',
    code: 'lower_priority',
    text:
      loser.surveyType === winner.surveyType
        ? `Not sent: the same survey (${winner.surveyType}) was asked for already; one is enough.`
        : `Not sent: ${winner.surveyType} was chosen instead; it comes first in the survey policy.`,
  };
}
