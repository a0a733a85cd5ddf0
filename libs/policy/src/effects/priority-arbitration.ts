import type { Reason } from '../model';
import { priorityOf } from '../context';
import type { Policy } from '../policy-config';

/**
 * Rule 5, priority arbitration, where it orders and moves decisions rather than deciding one:
 * which of several requests is decided first, and what becomes of a message a more urgent one
 * took the budget from (the engine's `displaces`; `frequency-cap.rule.ts` decides that).
 */

/**
 * `items` the most urgent first (urgency, then the policy's category order), otherwise in the
 * order given. Requests that arrive or come due together are decided in this order, so that the
 * most urgent takes a contested budget rather than the one that happened to come first.
 */
export function inPriorityOrder<T>(
  policy: Policy,
  items: readonly T[],
  of: (item: T) => { urgency: string; category: string },
): T[] {
  return items
    .map((item, i) => ({ item, i, p: priorityOf(policy, of(item)) }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((x) => x.item);
}

/**
 * A message that lost its budget: deferred, on its channel (one intent, one channel), to be
 * decided again after the policy's delay with the budget as it then is.
 */
export function displaced(policy: Policy, now: Date): { until: Date; reason: Reason } {
  return {
    until: new Date(now.getTime() + policy.redecideDisplacedAfterMs),
    reason: {
      rule: 'priority-arbitration',
      code: 'displaced',
      text: 'Moved back: a more urgent message took its contact budget; it is decided again shortly.',
    },
  };
}
