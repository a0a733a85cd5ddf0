export const DISPATCHER_INBOX = Symbol('DispatcherInbox');
