import { hash } from 'node:crypto';

/** The n-th decision about a request has the same id however often it is computed. */
export function decisionIdFor(requestKey: string, n: number): string {
  return hash('sha256', `decision:${requestKey}:${n}`, 'hex').slice(0, 32);
}
