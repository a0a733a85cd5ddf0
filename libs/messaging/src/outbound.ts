import { TOMBSTONE_HEADER, type CloudEvent, type TopicName } from '@onevoice/contracts';
import { injectTraceContext } from './trace-context';

/**
 * A message a service wants published. It remembers the trace context it was created in, so
 * that publishing it later (after the database commit, or again after a redelivery) keeps the
 * trace whole.
 */
export interface Outbound {
  topic: TopicName;
  /** Always the customer id: per-customer order comes from the partition. */
  key: string;
  event: CloudEvent;
  headers: Record<string, string>;
  /**
   * `JSON.stringify(event)`, when its maker wrote it already (to store it, say): published as it
   * is rather than serialized again. Not enumerable, so an Outbound kept as JSON is unchanged.
   */
  readonly json?: string;
}

/** A message to publish; `json`, if given, must be `JSON.stringify(event)`. */
export function outbound(topic: TopicName, event: CloudEvent, json?: string): Outbound {
  const message: Outbound = { topic, key: event.subject, event, headers: injectTraceContext() };
  if (json !== undefined)
    Object.defineProperty(message, 'json', { value: json, enumerable: false });
  return message;
}

/**
 * The tombstone of `key` on a compacted topic: published with a null value, so that compaction
 * forgets every record of it (an erased customer's profile). `event` names it in traces and the
 * outbox; it is not sent.
 */
export function tombstone(topic: TopicName, event: CloudEvent): Outbound {
  return {
    ...outbound(topic, event),
    headers: { ...injectTraceContext(), [TOMBSTONE_HEADER]: '1' },
  };
}
