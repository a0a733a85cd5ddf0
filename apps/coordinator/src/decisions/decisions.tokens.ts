export const INTENT_CATALOGUE = Symbol('IntentCatalogue');
export const COORDINATOR_INBOX = Symbol('CoordinatorInbox');
