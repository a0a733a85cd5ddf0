import type { CloudEvent, TopicName } from '@onevoice/contracts';
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
