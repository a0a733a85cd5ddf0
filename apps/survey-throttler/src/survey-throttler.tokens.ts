/** The throttler's idempotent inbox: every message it consumes is recorded with its work. */
export const THROTTLER_INBOX = Symbol('SurveyThrottlerInbox');
