import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type IntentCatalogue, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import type { PlannedReminder } from '@onevoice/policy';
import type { EntityManager } from 'typeorm';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { COORDINATOR_INBOX } from '../decisions/decisions.tokens';
import { LedgerRepository } from '../ledger/ledger.repository';
import type { StoredRequest } from '../ledger/ledger.types';
import { nextReminder, reminderKey, reminderRequest } from '../ledger/reminders';
import { Clock, eventTime } from '@onevoice/clock';

type DeliveryEvent = TopicEvent<typeof Topics.deliveries>;

/**
 * What the dispatcher did, on the customer's timeline. A message that went out schedules its
 * reminder (when its intent has one): a request of the coordinator's own, decided by every rule
 * when it comes due. A batch is recorded set by set — its customers locked, its messages marked
 * sent or engaged, its reminders planned and its timeline entries written, a statement each — as
 * one delivery after another would have left it.
 */
@Controller()
export class DeliveriesConsumer {
  constructor(
    private readonly clock: Clock,
    @Inject(COORDINATOR_INBOX) private readonly inbox: IdempotentConsumer,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    private readonly ledger: LedgerRepository,
  ) {}

  @EventPattern(Topics.deliveries)
  async onDeliveries(@Payload() batch: EventBatch<DeliveryEvent>): Promise<void> {
    await this.inbox.process(batch, async () => [], batch.messages, {
      prepare: (tx, claimed) =>
        this.record(
          tx,
          claimed.map((m) => m.event),
        ),
    });
  }

  private async record(tx: EntityManager, events: readonly DeliveryEvent[]): Promise<void> {
    await this.ledger.lockCustomers(tx, [...new Set(events.map((e) => e.subject))]);
    await this.ledger.markEngaged(
      tx,
      events.filter((e) => ENGAGED.has(e.data.state)).map((e) => e.data.decisionId),
    );
    const sent = events.filter((e) => e.data.state === 'sent');
    const changed = await this.ledger.markSent(
      tx,
      sent.map((e) => ({ decisionId: e.data.decisionId, channel: e.data.channel })),
    );
    // Each changed request plans its next reminder once, from its first "sent" in the batch.
    const plans = new Map<DeliveryEvent, { request: StoredRequest; plan: PlannedReminder }>();
    for (const event of sent) {
      const request = changed.get(event.data.decisionId);
      if (!request) continue;
      changed.delete(event.data.decisionId);
      const plan = nextReminder(
        this.catalogue,
        request,
        event.data.decisionId,
        eventTime(event.time, this.clock),
      );
      if (plan) plans.set(event, { request, plan });
    }
    const { inserted } = await this.ledger.insertRequests(
      tx,
      [...plans.values()].map(({ request, plan }) => ({
        request: reminderRequest(request, plan),
        heldUntil: plan.due,
      })),
    );
    await this.ledger.addTimelines(
      tx,
      events.flatMap((event) => {
        const d = event.data;
        const at = eventTime(event.time, this.clock);
        const entries: TimelineEntry[] = [
          {
            customerId: event.subject,
            at,
            kind: 'delivery',
            // The dispatcher's word on why (a failure, a fallback, an answer to STOP) is kept in it.
            summary: `${d.channel} message ${d.state} (${d.provider})${d.detail ? `: ${d.detail}` : ''}.`,
            detail: d,
          },
        ];
        const planned = plans.get(event);
        // Planned once: a message that went out again on a fallback channel plans nothing more.
        if (planned && inserted.has(reminderKey(planned.plan))) {
          const { of, number, due } = planned.plan;
          entries.push({
            customerId: event.subject,
            at,
            kind: 'reminder',
            summary: `Reminder ${number} of ${planned.request.intentType} planned for ${due.toISOString()}, unless the customer acts first.`,
            detail: { of, due },
          });
        }
        return entries;
      }),
    );
  }
}

type TimelineEntry = Parameters<LedgerRepository['addTimelines']>[1][number];

/** Delivery states that say the customer engaged with the message. */
const ENGAGED = new Set(['opened', 'clicked', 'replied']);
