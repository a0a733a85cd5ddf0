/** Injection tokens of the ingest service. */
export const INGEST_INBOX = Symbol('IngestInbox');
