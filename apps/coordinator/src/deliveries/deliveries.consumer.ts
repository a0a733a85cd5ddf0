import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type IntentCatalogue, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { durationMs, planReminder } from '@onevoice/policy';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { COORDINATOR_INBOX } from '../decisions/decisions.tokens';
import { LedgerRepository } from '../ledger/ledger.repository';
import { Clock, eventTime } from '@onevoice/clock';

type DeliveryEvent = TopicEvent<typeof Topics.deliveries>;

/**
 * What the dispatcher did. A message that went out schedules its reminder (when its intent has
 * one): a request of the coordinator's own, decided by every rule when it comes due.
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
    await this.inbox.process(batch, async (tx, { event }) => {
      const d = event.data;
      const at = eventTime(event.time, this.clock);
      await this.ledger.lockCustomer(tx, event.subject);
      await this.ledger.addTimeline(
        tx,
        event.subject,
        at,
        'delivery',
        // The dispatcher's word on why (a failure, a fallback, an answer to STOP) is kept in it.
        `${d.channel} message ${d.state} (${d.provider})${d.detail ? `: ${d.detail}` : ''}.`,
        d,
      );
      if (['opened', 'clicked', 'replied'].includes(d.state))
        await this.ledger.markEngaged(tx, d.decisionId);
      if (d.state !== 'sent') return [];
      const request = await this.ledger.markSent(tx, d.decisionId, d.channel);
      if (!request) return [];
      const reminders = this.catalogue.intents[request.intentType]?.reminders;
      const plan = planReminder({
        sentAt: at,
        decisionId: d.decisionId,
        ...(request.reminder ? { reminder: request.reminder } : {}),
        ...(reminders
          ? { reminders: { max: reminders.max, afterMs: durationMs(reminders.after) } }
          : {}),
        expiresAt: new Date(request.expiresAt),
      });
      if (!plan) return [];
      const { of: root, number, due } = plan;
      const { inserted: planned } = await this.ledger.insertRequests(
        tx,
        [
          {
            ...request,
            requestKey: `reminder:${root}:${number}`,
            requestId: `reminder-${number}-of-${request.requestId}`,
            source: 'onevoice/coordinator',
            receivedAt: due.toISOString(),
            reminder: {
              of: root,
              number,
              maxReminders: plan.maxReminders,
              department: request.reminder?.department ?? request.source,
            },
          },
        ],
        { heldUntil: due },
      );
      // Planned once: a message that went out again on a fallback channel plans nothing more.
      if (planned.size === 0) return [];
      await this.ledger.addTimeline(
        tx,
        event.subject,
        at,
        'reminder',
        `Reminder ${number} of ${request.intentType} planned for ${due.toISOString()}, unless the customer acts first.`,
        { of: root, due },
      );
      return [];
    });
  }
}
