import type { Reason } from '../model';

/** A request of the customer's as the end of an outage sees it. */
export interface OutageRequest {
  category: string;
  intentType: string;
  status: 'pending' | 'approved' | 'deferred' | 'merged' | 'suppressed';
  /** Whether its message has gone out (or is due to have). */
  goneOut: boolean;
}

/**
 * Rule 12, targeting, when an outage case closes: once no outage affects the customer, an outage
 * message of theirs still waiting (an update held for the morning on a channel that disturbs) is
 * called off — it would arrive after the all-clear. The all-clear itself (`…_resolved`) is not.
 */
export function calledOffByOutageEnd<R extends OutageRequest>(
  requests: readonly R[],
  openCaseKinds: readonly string[],
): { calledOff: R[]; reason: Reason } {
  const over = !openCaseKinds.includes('outage');
  return {
    calledOff: over
      ? requests.filter(
          (r) =>
            r.category === 'outage' &&
            !r.intentType.endsWith('_resolved') &&
            (r.status === 'pending' ||
              r.status === 'deferred' ||
              (r.status === 'approved' && !r.goneOut)),
        )
      : [],
    reason: {
      rule: 'targeting',
      code: 'not_affected',
      text: 'Called off: the outage is over, and no other affects the customer.',
    },
  };
}
