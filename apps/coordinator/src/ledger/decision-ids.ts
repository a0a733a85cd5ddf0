import { createHash } from 'node:crypto';

/** The n-th decision about a request has the same id however often it is computed. */
export function decisionIdFor(requestKey: string, n: number): string {
  return createHash('sha256').update(`decision:${requestKey}:${n}`).digest('hex').slice(0, 32);
}
