/** Injection tokens of the ingest service. */
export const INTENT_CATALOGUE = Symbol('IntentCatalogue');
export const INGEST_INBOX = Symbol('IngestInbox');
