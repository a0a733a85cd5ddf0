const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * Failures worth waiting out rather than dead-lettering: the database or broker is briefly
 * away, or Postgres asked us to retry (serialization failure, deadlock, shutdown).
 */
export function isTransientError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; retriable?: unknown; name?: unknown; cause?: unknown };
  if (e.retriable === true) return true;
  if (typeof e.code === 'string') {
    if (TRANSIENT_NODE_CODES.has(e.code)) return true;
    if (/^(08|57P|53)/.test(e.code) || e.code === '40001' || e.code === '40P01') return true;
  }
  if (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSConnectionError')
    return true;
  return e.cause !== undefined && e.cause !== err ? isTransientError(e.cause) : false;
}
