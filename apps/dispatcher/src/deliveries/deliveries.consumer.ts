import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import { injectTraceContext, type EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { DueDeliveriesScheduler } from '../scheduler/due-deliveries.scheduler';
import { DeliveriesRepository, rowOf, type NewDelivery } from './deliveries.repository';
import { DISPATCHER_INBOX } from './deliveries.tokens';
import { DeliveryComposer } from './delivery-composer';
import { DeliverySender } from './delivery-sender';

type DecisionEvent = TopicEvent<typeof Topics.decisions>;

/**
 * Turns each approved decision into exactly one delivery: sent at once when its window is open,
 * otherwise scheduled in Postgres for when it opens. A decision that replaces an earlier one
 * (moved back, called off, superseded) calls off the earlier delivery if it has not gone out.
 */
@Controller()
export class DeliveriesConsumer {
  constructor(
    @Inject(DISPATCHER_INBOX) private readonly inbox: IdempotentConsumer,
    private readonly composer: DeliveryComposer,
    private readonly deliveries: DeliveriesRepository,
    private readonly sender: DeliverySender,
    private readonly scheduler: DueDeliveriesScheduler,
  ) {}

  @EventPattern(Topics.decisions)
  async onDecisions(@Payload() batch: EventBatch<DecisionEvent>): Promise<void> {
    // A batch's deliveries are recorded together, in one statement, when its work is done.
    const recording: NewDelivery[] = [];
    const replaced: string[] = [];
    await this.inbox.process(
      batch,
      (_tx, message) => {
        const decision = message.event;
        const d = decision.data;
        if (d.replaces) replaced.push(d.replaces);
        if (d.outcome !== 'approved' || !d.channel) return Promise.resolve([]);
        const now = new Date();
        const { traceparent } = injectTraceContext();
        const delivery = this.composer.compose(
          {
            decisionId: d.decisionId,
            requestId: d.requestId,
            intentType: d.intentType,
            intentKey: d.intentKey,
            category: d.category,
            customerId: decision.subject,
            variables: d.variables,
            action: d.action,
            ...(d.merged?.length ? { merged: d.merged } : {}),
          },
          d.channel,
          {
            sendAfter: d.sendAfter ? new Date(d.sendAfter) : now,
            ...(d.sendBefore ? { sendBefore: new Date(d.sendBefore) } : {}),
          },
          now,
          {
            ...(d.fallback ? { fallback: d.fallback } : {}),
            // Inside this message's span: the provider call, later, continues its trace.
            ...(traceparent ? { traceparent } : {}),
          },
        );
        recording.push(delivery);
        // Recorded with the batch; the sender calls the provider once it commits (kicked below).
        // A decision seen before keeps its first delivery (its event id is the same again).
        return Promise.resolve(
          delivery.sendAfter.getTime() > now.getTime()
            ? [this.sender.event(rowOf(delivery), 'scheduled', now)]
            : [],
        );
      },
      batch.messages,
      {
        finish: async (tx) => {
          await this.deliveries.recordMany(tx, recording);
          // After the inserts: a replacement may arrive in the same batch as what it replaces.
          for (const id of replaced) await this.deliveries.cancelForDecision(tx, id);
        },
      },
    );
    this.scheduler.kick();
  }
}
