export const DISPATCHER_INBOX = Symbol('DispatcherInbox');

/** How the links in every message are made: signed with the secret the profiler checks them with. */
export const DISPATCHER_LINKS = Symbol('DispatcherLinks');
export interface DispatcherLinks {
  secret: string;
  baseUrl: string;
  lifetimeMs: number;
}
