import { Topics, type DecisionData } from '@onevoice/contracts';
import { EventPublisher, type Outbound } from '@onevoice/messaging';
import { serviceMeter } from '@onevoice/observability';

const meter = serviceMeter('coordinator');
const decisions = meter.createCounter('onevoice.decisions', {
  description: 'Decisions the coordinator published, by outcome and channel',
});
const reasons = meter.createCounter('onevoice.decision.reasons', {
  description:
    'Rules that fired in the decisions the coordinator published, by outcome, rule and reason code',
});

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
    }
  }
}
