import type { Reason } from '../model';

/** A request of the customer's as far as fulfilment cares: its intent and where it stands. */
export interface PendingRequest {
  intentKey: string;
  status: 'pending' | 'approved' | 'deferred' | 'merged' | 'suppressed';
  /** Whether its message has gone out (or is due to have). */
  goneOut: boolean;
  /** The department that asked for it. */
  source?: string | undefined;
}

/**
 * Rule 8, fulfilment, as applied when the customer acts: what they asked for is done, so every
 * request of that intent that has not gone out — held, pending, approved for later, reminders
 * included — is called off, with why. A department that may fulfil only its own intents
 * (`ofSource`) calls off only its own requests.
 */
export function calledOffByFulfilment<R extends PendingRequest>(
  requests: readonly R[],
  intentKey: string,
  /** Only this department's requests: a department that may fulfil only its own intents. */
  ofSource?: string,
): { calledOff: R[]; reason: Reason } {
  return {
    calledOff: requests.filter(
      (r) =>
        r.intentKey === intentKey &&
        (ofSource === undefined || r.source === ofSource) &&
        (r.status === 'pending' ||
          r.status === 'deferred' ||
          (r.status === 'approved' && !r.goneOut)),
    ),
    reason: { rule: 'fulfilment', code: 'fulfilled', text: `Called off: "${intentKey}" is done.` },
  };
}
