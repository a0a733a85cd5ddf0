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
}

export function outbound(topic: TopicName, event: CloudEvent): Outbound {
  return { topic, key: event.subject, event, headers: injectTraceContext() };
}
