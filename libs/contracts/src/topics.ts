/**
 * Kafka topic names: the public contract of OneVoice (docs/design.md §2).
 *
 * WARNING: these values are on the wire and in other teams' consumers. Never change one once
 * shipped; a breaking change is a new topic with a new version suffix.
 */
export const Topics = {
  events: 'ov.events.v1',
  contactRequests: 'ov.contact-requests.v1',
  interactions: 'ov.interactions.v1',
  surveyRequests: 'ov.survey-requests.v1',
  preferences: 'ov.preferences.v1',
  profiles: 'ov.profiles.v1',
  decisions: 'ov.decisions.v1',
  deliveries: 'ov.deliveries.v1',
  deadLetters: 'ov.dlq.v1',
  /** Erasure requests (`customer.erased`) and each service's confirmation, keyed by customer. */
  erasures: 'ov.erasures.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);

/** Topics that keep only the latest record per key. */
export const COMPACTED_TOPICS: readonly TopicName[] = [Topics.profiles];

/** Kafka headers OneVoice sets on dead letters (the value is the original bytes, untouched). */
export const DeadLetterHeaders = {
  reason: 'ov-dlq-reason',
  field: 'ov-dlq-field',
  sourceTopic: 'ov-dlq-source-topic',
  sourcePartition: 'ov-dlq-source-partition',
  sourceOffset: 'ov-dlq-source-offset',
  consumer: 'ov-dlq-consumer',
  failedAt: 'ov-dlq-failed-at',
} as const;
