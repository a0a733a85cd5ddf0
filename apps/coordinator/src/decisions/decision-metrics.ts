import { Topics, type DecisionData } from '@onevoice/contracts';
import { EventPublisher, type Outbound } from '@onevoice/messaging';
import { serviceMeter } from '@onevoice/observability';
import type { Policy } from '@onevoice/policy';
import type { RequestRow } from '../ledger/ledger.types';

const meter = serviceMeter('coordinator');
const decisions = meter.createCounter('onevoice.decisions', {
  description: 'Decisions the coordinator published, by outcome and channel',
});
const reasons = meter.createCounter('onevoice.decision.reasons', {
  description:
    'Rules that fired in the decisions the coordinator published, by outcome, rule and reason code',
});

const contactsInWindow = meter.createHistogram('onevoice.contacts.in_window', {
  description:
    "Approved contacts in the customer's contact-budget window (by the policy's cap name), this one included, at each approval",
  advice: { explicitBucketBoundaries: [1, 2, 3, 4, 5, 7, 10, 20] },
});

const decisionLatency = meter.createHistogram('onevoice.decision.latency.seconds', {
  description:
    'Seconds from a contact request reaching ov.contact-requests.v1 (its Kafka timestamp) to its decisions being published',
  unit: 's',
  advice: {
    explicitBucketBoundaries: [
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
    ],
  },
});

/**
 * Observes how long each of these contact requests waited for its decisions, now that they are
 * published: the gate's own latency, which the target (p99 under 50 ms) is about.
 */
export function observeDecisionLatency(requests: readonly { timestamp: number }[]): void {
  // The machine's time, as the Kafka timestamps it is measured against: latency is not a decision.
  // eslint-disable-next-line no-restricted-syntax
  const now = Date.now();
  for (const r of requests) decisionLatency.record(Math.max(0, now - r.timestamp) / 1000);
}

/** An approved decision's contacts per window, observed once it is published. */
const contactsOf = new WeakMap<Outbound, readonly { window: string; contacts: number }[]>();

/**
 * Notes how many contacts share each contact-budget window with an approved decision (see
 * `contactsInWindows`), to be observed if and when the decision is published (one rolled back is
 * forgotten with its message; a redelivery's, published from the log, is not observed again).
 */
export function noteContactsInWindows(
  decision: Outbound,
  contacts: readonly { window: string; contacts: number }[],
): void {
  contactsOf.set(decision, contacts);
}

/**
 * Publishes through the process's publisher, and counts each decision once it is published: a
 * decision made and then rolled back, or made again under the lock, is not counted twice (a
 * redelivery that publishes a decision again is).
 */
export class DecisionCountingPublisher extends EventPublisher {
  constructor(private readonly inner: EventPublisher) {
    super();
  }

  async publish(messages: readonly Outbound[]): Promise<void> {
    await this.inner.publish(messages);
    for (const m of messages) {
      if (m.topic !== Topics.decisions) continue;
      const d = m.event.data as DecisionData;
      decisions.add(1, { outcome: d.outcome, channel: d.channel ?? 'none' });
      for (const r of d.reasons)
        reasons.add(1, { outcome: d.outcome, rule: r.rule, reason: r.code });
      for (const c of contactsOf.get(m) ?? [])
        contactsInWindow.record(c.contacts, { window: c.window });
    }
  }
}

/**
 * For each contact-budget window of the policy that applies to `category`: the customer's
 * approved contacts due in the window that ends at `at` (the one approved for `at` included).
 */
export function contactsInWindows(
  history: readonly Pick<RequestRow, 'status' | 'at' | 'category'>[],
  caps: Policy['caps'],
  category: string,
  at: Date,
): { window: string; contacts: number }[] {
  const end = at.getTime();
  const counts: { window: string; contacts: number }[] = [];
  for (const cap of caps) {
    if (cap.categories && !cap.categories.includes(category)) continue;
    let contacts = 0;
    for (const h of history) {
      if (h.status !== 'approved' || !h.at) continue;
      if (cap.categories && !cap.categories.includes(h.category)) continue;
      const t = h.at.getTime();
      if (t <= end && t > end - cap.windowMs) contacts++;
    }
    counts.push({ window: cap.name, contacts });
  }
  return counts;
}
