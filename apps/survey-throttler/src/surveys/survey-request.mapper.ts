import {
  contactIntentDataSchema,
  SURVEY_REQUESTED,
  surveyRequestedDataSchema,
  type IntentCatalogue,
  type Rejection,
  type TopicEvent,
  type Topics,
} from '@onevoice/contracts';
import type { SurveyPolicy } from '@onevoice/policy';
import type { StoredSurvey } from '../ledger/survey-ledger.repository';

type SurveyRequestEvent = TopicEvent<typeof Topics.surveyRequests>;

const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * What the gate needs of a survey request: a `survey.requested` event, or a survey intent a
 * department sent as a contact intent (`survey.invite`, its survey type in variables.surveyType
 * and the surveyed interaction in replyTo).
 */
export function toStoredSurvey(
  e: SurveyRequestEvent,
  policy: SurveyPolicy,
  catalogue: IntentCatalogue,
  now: Date,
): { ok: true; survey: StoredSurvey } | { ok: false; rejection: Rejection } {
  const receivedAt = e.time ?? now.toISOString();
  const base = {
    requestKey: `${e.source}/${e.id}`,
    customerId: e.subject,
    source: e.source,
    requestId: e.id,
    receivedAt,
  };
  const expiry = (given?: string) =>
    given ?? new Date(Date.parse(receivedAt) + policy.lifetimeMs).toISOString();
  // The topic's schema took the event as one of the two; which one follows from its type.
  if (e.type === SURVEY_REQUESTED) {
    const d = surveyRequestedDataSchema.parse(e.data);
    return {
      ok: true,
      survey: {
        ...base,
        surveyType: d.surveyType,
        interactionId: d.interactionId,
        touchpoint: d.channel,
        ...(d.variables ? { variables: d.variables } : {}),
        ...(d.action ? { action: d.action } : {}),
        expiresAt: expiry(d.expiresAt),
      },
    };
  }
  const intent = catalogue.intents[e.type];
  if (!intent || intent.category !== 'survey') {
    return {
      ok: false,
      rejection: {
        reason: intent
          ? `"${e.type}" is a ${intent.category} intent: only survey intents and survey.requested belong on this topic`
          : `intent type "${e.type}" is not in catalogue ${catalogue.version}`,
        field: 'type',
      },
    };
  }
  const d = contactIntentDataSchema.parse(e.data);
  const surveyType = text(d.variables.surveyType) ?? policy.defaultSurveyType ?? e.type;
  return {
    ok: true,
    survey: {
      ...base,
      surveyType,
      interactionId: d.replyTo?.interactionId ?? text(d.variables.interactionId) ?? d.intentKey,
      ...(d.replyTo ? { touchpoint: d.replyTo.channel } : {}),
      intentType: e.type,
      intentKey: d.intentKey,
      ...(d.channels ? { channels: d.channels } : {}),
      variables: d.variables,
      action: d.action,
      expiresAt: expiry(d.expiresAt),
    },
  };
}
