/**
 * How a provider call that did not go through failed (see the dispatcher's channel adapters):
 * `transient` (refused before it was taken: 5xx, 429, connection refused), `permanent` (it never
 * will be: 4xx), `ambiguous` (the request went out, no answer: the provider may have it), or
 * `conflict` (the provider says it already holds this idempotency key: a 409 or 422 to a keyed
 * request — an earlier call may have gone out).
 */
export type FailureKind = 'transient' | 'permanent' | 'ambiguous' | 'conflict';

/** The dispatcher's retry settings. */
export interface RetryPolicy {
  /** Provider calls per delivery, the first included. */
  maxAttempts: number;
  /** The first retry's delay; each next one doubles it, up to a minute. */
  retryBaseMs: number;
}

/** What becomes of a delivery after a failed provider call. */
export type AfterFailure =
  /** Called again at `at` (a transient failure, attempts left). */
  | { then: 'retry'; at: number }
  /** It did not reach the customer: failed, and the next allowed channel may take it (rule 3). */
  | { then: 'fail' }
  /** The provider may have it and dedupes by key: sent again with the same key, at once. */
  | { then: 'resend' }
  /**
   * The provider may have it and cannot be trusted to dedupe: not sent again and not sent
   * elsewhere — the provider is asked what it took.
   */
  | { then: 'uncertain' };

/**
 * A delivery's next step after its `attempts`-th provider call failed. Pure: the dispatcher
 * carries it out. A message that may have reached the customer never goes to a second channel:
 * once a call's outcome was unknown (`maybeTaken`), a later failure is not a definite one either —
 * the provider is asked what it took before anything is given up or sent elsewhere.
 */
export function afterFailure(
  failure: { kind: FailureKind; attempts: number; idempotent: boolean; maybeTaken?: boolean },
  policy: RetryPolicy,
  now: number,
): AfterFailure {
  const attemptsLeft = failure.attempts < policy.maxAttempts;
  const givenUp: AfterFailure = failure.maybeTaken ? { then: 'uncertain' } : { then: 'fail' };
  switch (failure.kind) {
    case 'permanent':
      return givenUp;
    case 'transient':
      return attemptsLeft
        ? { then: 'retry', at: now + retryDelay(failure.attempts, policy) }
        : givenUp;
    case 'ambiguous':
      return failure.idempotent && attemptsLeft ? { then: 'resend' } : { then: 'uncertain' };
    case 'conflict':
      return { then: 'uncertain' };
  }
}

/** Exponential backoff: the base after the first attempt, doubling, at most a minute. */
export function retryDelay(attempts: number, policy: Pick<RetryPolicy, 'retryBaseMs'>): number {
  return Math.min(policy.retryBaseMs * 2 ** Math.max(0, attempts - 1), 60_000);
}

/** A delivery whose send window closed before it could be handed over is not sent late. */
export function windowClosed(sendBefore: Date | string | null | undefined, now: number): boolean {
  return sendBefore != null && new Date(sendBefore).getTime() < now;
}
