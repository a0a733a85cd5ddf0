import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch, Outbound } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { SurveyLedgerRepository } from '../ledger/survey-ledger.repository';
import { SurveyThrottlerService, THROTTLER_SOURCE } from '../ledger/survey-throttler.service';
import { THROTTLER_INBOX } from '../survey-throttler.tokens';
import { Clock, eventTime } from '@onevoice/clock';

type Interaction = TopicEvent<typeof Topics.interactions>;
type Decision = TopicEvent<typeof Topics.decisions>;
type Delivery = TopicEvent<typeof Topics.deliveries>;

/**
 * What the gate needs to know of the customer besides surveys: open cases (interactions),
 * messages about to go out (the coordinator's decisions) and messages gone out (deliveries).
 * A change that can free or stop a held survey puts the customer through the gate again.
 */
@Controller()
export class CustomerSignalsConsumer {
  constructor(
    private readonly clock: Clock,
    @Inject(THROTTLER_INBOX) private readonly inbox: IdempotentConsumer,
    private readonly ledger: SurveyLedgerRepository,
    private readonly throttler: SurveyThrottlerService,
  ) {}

  @EventPattern(Topics.interactions)
  async onInteractions(@Payload() batch: EventBatch<Interaction>): Promise<void> {
    await this.inbox.process(batch, async (tx, { event }) => {
      if (event.type !== 'case.opened' && event.type !== 'case.closed') return [];
      await this.ledger.lockCustomer(tx, event.subject);
      if (event.type === 'case.opened')
        await this.ledger.openCase(tx, event.subject, event.data.caseId, event.data.kind);
      else await this.ledger.closeCase(tx, event.subject, event.data.caseId);
      return this.throttler.evaluate(tx, event.subject, this.clock.now());
    });
  }

  @EventPattern(Topics.decisions)
  async onDecisions(@Payload() batch: EventBatch<Decision>): Promise<void> {
    await this.inbox.process(batch, async (tx, { event }): Promise<Outbound[]> => {
      if (event.source === THROTTLER_SOURCE) return [];
      const d = event.data;
      await this.ledger.lockCustomer(tx, event.subject);
      if (d.replaces) await this.ledger.contactCalledOff(tx, d.replaces);
      if (
        d.category === 'survey' &&
        (await this.ledger.isOurSurvey(tx, d.requestSource, d.requestId))
      ) {
        // The coordinator's word on a survey the gate let through.
        if (d.outcome === 'suppressed')
          await this.ledger.markDroppedDownstream(tx, d.requestSource, d.requestId);
        return [];
      }
      if (d.outcome === 'approved' || d.outcome === 'deferred') {
        const at = d.sendAfter ?? d.deferredUntil ?? event.time ?? this.clock.now().toISOString();
        await this.ledger.contactPending(
          tx,
          event.subject,
          d.decisionId,
          new Date(at),
          eventTime(event.time, this.clock),
        );
      }
      return [];
    });
  }

  @EventPattern(Topics.deliveries)
  async onDeliveries(@Payload() batch: EventBatch<Delivery>): Promise<void> {
    await this.inbox.process(batch, async (tx, { event }) => {
      const d = event.data;
      // Sent, or never to be sent: a contact called off (a refusal, a replacement) or that
      // expired no longer stands in a survey's way.
      if (!['sent', 'failed', 'bounced', 'cancelled', 'expired'].includes(d.state)) return [];
      await this.ledger.lockCustomer(tx, event.subject);
      if (d.state === 'sent')
        await this.ledger.contactSent(
          tx,
          event.subject,
          d.decisionId,
          eventTime(event.time, this.clock),
        );
      else await this.ledger.contactCalledOff(tx, d.decisionId);
      return this.throttler.evaluate(tx, event.subject, this.clock.now());
    });
  }
}
