export const INTENT_CATALOGUE = Symbol('IntentCatalogue');
export const DISPATCHER_INBOX = Symbol('DispatcherInbox');
