import {
  cloudEvent,
  decisionEventType,
  type CloudEvent,
  type ContactIntentData,
  type DecisionData,
  type IntentCatalogue,
  type Rejection,
} from '@onevoice/contracts';
import { createHash } from 'node:crypto';

export interface ContactRequest {
  id: string;
  source: string;
  subject: string;
  type: string;
  data: ContactIntentData;
}

export const DECISION_SOURCE = 'onevoice/coordinator';

/** A decision's id follows from its request, so deciding the same request again gives the same id. */
export function decisionIdFor(request: Pick<ContactRequest, 'source' | 'id'>): string {
  return createHash('sha256')
    .update(`decision:${request.source}/${request.id}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * The walking skeleton's decision: approve on the first channel the request allows among the
 * intent's defaults (or the first default). The one-voice rules replace this (issue 3); what
 * stays is the shape: pure, with the clock passed in, and every decision giving its reasons.
 */
export function decideOnDefaultChannel(
  request: ContactRequest,
  catalogue: IntentCatalogue,
  now: Date,
): { ok: true; event: CloudEvent<string, DecisionData> } | { ok: false; rejection: Rejection } {
  const intent = catalogue.intents[request.type];
  if (!intent) {
    return {
      ok: false,
      rejection: {
        reason: `intent type "${request.type}" is not in catalogue ${catalogue.version}`,
        field: 'type',
      },
    };
  }
  const allowed = request.data.channels;
  const channel = allowed
    ? (intent.defaultChannels.find((c) => allowed.includes(c)) ?? allowed[0]!)
    : intent.defaultChannels[0]!;
  const restricted = allowed !== undefined;
  const data: DecisionData = {
    decisionId: decisionIdFor(request),
    requestId: request.id,
    requestSource: request.source,
    outcome: 'approved',
    intentType: request.type,
    intentKey: request.data.intentKey,
    category: intent.category,
    urgency: intent.urgency,
    channel,
    sendAfter: now.toISOString(),
    mergedRequestIds: [],
    variables: request.data.variables,
    action: request.data.action,
    reasons: [
      {
        rule: 'channel-choice',
        code: restricted ? 'requested_channel' : 'intent_default_channel',
        text: restricted
          ? `Sent by ${channel}: the first channel ${request.source} allowed for this message.`
          : `Sent by ${channel}: the usual channel for "${request.type}" messages.`,
      },
    ],
    policyVersion: `skeleton/${catalogue.version}`,
  };
  return {
    ok: true,
    event: cloudEvent({
      id: data.decisionId,
      source: DECISION_SOURCE,
      type: decisionEventType('approved'),
      subject: request.subject,
      time: now,
      data,
    }),
  };
}
