/** The profiler's idempotent inbox: every message it consumes is recorded with its work. */
export const PROFILER_INBOX = Symbol('ProfilerInbox');

/** The secret that signs the links in messages (shared with the dispatcher, which writes them). */
export const PROFILER_LINKS = Symbol('ProfilerLinks');
export interface ProfilerLinks {
  secret: string;
}
