export const COORDINATOR_INBOX = Symbol('CoordinatorInbox');
