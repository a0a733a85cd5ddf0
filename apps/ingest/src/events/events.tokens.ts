/** Injection tokens of the ingest service. */
export const INGEST_INBOX = Symbol('IngestInbox');
/** How long an HTTP caller waits for Kafka to acknowledge its events before a 503 (ms). */
export const PUBLISH_DEADLINE_MS = Symbol('PublishDeadlineMs');

/** How events are validated beyond the contract: whether action URLs may be `http:`. */
export const VALIDATION_OPTIONS = Symbol('ValidationOptions');
export interface ValidationOptions {
  httpActions: boolean;
}
