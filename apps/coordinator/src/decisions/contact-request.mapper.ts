import {
  allowedChannelsOf,
  type IntentCatalogue,
  type Rejection,
  type TopicEvent,
  type Topics,
} from '@onevoice/contracts';
import { durationMs } from '@onevoice/policy';
import type { StoredRequest } from '../ledger/ledger.types';

type ContactRequestEvent = TopicEvent<typeof Topics.contactRequests>;

/** The key of a department's request: its source and id, as ingest accepted it once. */
export const requestKeyOf = (e: { source: string; id: string }) => `${e.source}/${e.id}`;

/** A contact request with its catalogue entry resolved, as the ledger stores it. */
export function toStoredRequest(
  e: ContactRequestEvent,
  catalogue: IntentCatalogue,
  /** When it is received: its time, when its sender gave none. */
  now: Date,
): { ok: true; request: StoredRequest } | { ok: false; rejection: Rejection } {
  const intent = catalogue.intents[e.type];
  if (!intent) {
    return {
      ok: false,
      rejection: {
        reason: `intent type "${e.type}" is not in catalogue ${catalogue.version}`,
        field: 'type',
      },
    };
  }
  const allowed = allowedChannelsOf(intent, e.data.channels);
  if (allowed?.length === 0)
    return {
      ok: false,
      rejection: {
        reason: `none of these channels may carry "${e.type}" (catalogue ${catalogue.version}: ${intent.channels!.join(', ')})`,
        field: 'data.channels',
      },
    };
  const received = e.time ?? now.toISOString();
  const expiresAt =
    e.data.expiresAt ?? new Date(Date.parse(received) + durationMs(intent.lifetime)).toISOString();
  return {
    ok: true,
    request: {
      requestKey: requestKeyOf(e),
      customerId: e.subject,
      source: e.source,
      requestId: e.id,
      intentType: e.type,
      intentKey: e.data.intentKey,
      category: intent.category,
      urgency: intent.urgency,
      ...(intent.transactional ? { transactional: true } : {}),
      defaultChannels: intent.defaultChannels,
      ...(allowed ? { allowedChannels: allowed } : {}),
      ...(e.data.replyTo ? { replyTo: { channel: e.data.replyTo.channel } } : {}),
      variables: e.data.variables,
      action: e.data.action,
      receivedAt: received,
      ...(e.data.notBefore ? { notBefore: e.data.notBefore } : {}),
      expiresAt,
      ...(e.data.update !== undefined ? { update: e.data.update } : {}),
    },
  };
}
