const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  // A name or a route briefly gone (a failover, a restarting container's DNS entry).
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Postgres codes worth waiting out besides whole classes 08 (connection), 57P (shutdown) and 53
 * (resources): serialization failure, deadlock, a read-only server (a replica promoted after a
 * failover still read-only for a moment) and a cancelled statement (a statement timeout).
 */
const TRANSIENT_PG_CODES = new Set(['40001', '40P01', '25006', '57014']);

/** What node-postgres says, with no code, when the server or the pool drops a connection. */
const TRANSIENT_PG_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error/,
];

/**
 * Failures worth waiting out rather than dead-lettering: the database or broker is briefly
 * away, or Postgres asked us to retry (serialization failure, deadlock, shutdown).
 */
export function isTransientError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as {
    code?: unknown;
    retriable?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (e.retriable === true) return true;
  if (typeof e.code === 'string') {
    if (TRANSIENT_NODE_CODES.has(e.code)) return true;
    if (/^(08|57P|53)/.test(e.code) || TRANSIENT_PG_CODES.has(e.code)) return true;
  } else if (typeof e.message === 'string') {
    const message = e.message;
    if (TRANSIENT_PG_MESSAGES.some((m) => m.test(message))) return true;
  }
  if (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSConnectionError')
    return true;
  return e.cause !== undefined && e.cause !== err ? isTransientError(e.cause) : false;
}
