import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch, InboundMessage, Outbound } from '@onevoice/messaging';
import type { EntityManager } from 'typeorm';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { SurveyLedgerRepository, surveyKey } from '../ledger/survey-ledger.repository';
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

  /**
   * Messages about to go out (pending contacts) and those called off by a replacement. Recorded
   * set by set for the batch; then each customer with a held survey goes through the gate once,
   * after the batch's last signal about them — a replacement can free a survey as a delivery can.
   */
  @EventPattern(Topics.decisions)
  async onDecisions(@Payload() batch: EventBatch<Decision>): Promise<void> {
    let signals: BatchSignals<Decision> | undefined;
    let ours = new Set<string>();
    await this.inbox.process(
      batch,
      async (tx, message): Promise<Outbound[]> => {
        const d = message.event.data;
        if (d.category === 'survey' && d.outcome === 'suppressed') {
          // The coordinator's word on a survey the gate let through: it never reached the customer.
          if (ours.has(surveyKey(d.requestSource, d.requestId)))
            await this.ledger.markDroppedDownstream(tx, d.requestSource, d.requestId);
        }
        return signals!.gateAfter(tx, message);
      },
      batch.messages.filter((m) => m.event.source !== THROTTLER_SOURCE),
      {
        prepare: async (tx, claimed) => {
          signals = await this.record(tx, claimed);
          const surveys = claimed.filter((m) => m.event.data.category === 'survey');
          ours = await this.ledger.ourSurveys(
            tx,
            surveys.map((m) => ({
              source: m.event.data.requestSource,
              requestId: m.event.data.requestId,
            })),
          );
          const pending = claimed.filter((m) => {
            const d = m.event.data;
            if (d.category === 'survey' && ours.has(surveyKey(d.requestSource, d.requestId)))
              return false;
            return d.outcome === 'approved' || d.outcome === 'deferred';
          });
          await this.ledger.recordContacts(tx, {
            pending: pending.map(({ event }) => ({
              decisionId: event.data.decisionId,
              customerId: event.subject,
              at: new Date(
                event.data.sendAfter ??
                  event.data.deferredUntil ??
                  event.time ??
                  this.clock.now().toISOString(),
              ),
              decidedAt: eventTime(event.time, this.clock),
            })),
            calledOff: claimed.flatMap((m) =>
              m.event.data.replaces ? [m.event.data.replaces] : [],
            ),
            sent: [],
          });
          await signals.findHeld(tx);
        },
      },
    );
  }

  /**
   * Messages gone out, and those that never will (a refusal, a replacement, a failure, expiry):
   * either way, no longer in a survey's way.
   */
  @EventPattern(Topics.deliveries)
  async onDeliveries(@Payload() batch: EventBatch<Delivery>): Promise<void> {
    let signals: BatchSignals<Delivery> | undefined;
    await this.inbox.process(
      batch,
      (tx, message) => signals!.gateAfter(tx, message),
      batch.messages.filter((m) => SETTLED.has(m.event.data.state)),
      {
        prepare: async (tx, claimed) => {
          signals = await this.record(tx, claimed);
          const sent = claimed.filter((m) => m.event.data.state === 'sent');
          await this.ledger.recordContacts(tx, {
            pending: [],
            calledOff: claimed
              .filter((m) => m.event.data.state !== 'sent')
              .map((m) => m.event.data.decisionId),
            sent: sent.map(({ event }) => ({
              decisionId: event.data.decisionId,
              customerId: event.subject,
              at: eventTime(event.time, this.clock),
            })),
          });
          await signals.findHeld(tx);
        },
      },
    );
  }

  /** The batch's customers, locked (all in one statement) before their contacts change. */
  private async record<E extends { subject: string }>(
    tx: EntityManager,
    claimed: readonly InboundMessage<E>[],
  ): Promise<BatchSignals<E>> {
    const signals = new BatchSignals(claimed, this.ledger, this.throttler, this.clock);
    await this.ledger.lockCustomers(tx, [...signals.customers()]);
    return signals;
  }
}

/** Delivery states after which a message no longer stands in a survey's way. */
const SETTLED = new Set(['sent', 'failed', 'bounced', 'cancelled', 'expired']);

/**
 * The customers a batch of signals is about: each with a held survey goes through the gate once,
 * in the work of the batch's last message about them (so what the gate says is kept with it).
 */
class BatchSignals<E extends { subject: string }> {
  private readonly last = new Map<string, InboundMessage<E>>();
  private held = new Set<string>();

  constructor(
    claimed: readonly InboundMessage<E>[],
    private readonly ledger: SurveyLedgerRepository,
    private readonly throttler: SurveyThrottlerService,
    private readonly clock: Clock,
  ) {
    for (const m of claimed) this.last.set(m.event.subject, m);
  }

  customers(): Iterable<string> {
    return this.last.keys();
  }

  async findHeld(tx: EntityManager): Promise<void> {
    this.held = await this.ledger.holdingSurveys(tx, [...this.last.keys()]);
  }

  async gateAfter(tx: EntityManager, message: InboundMessage<E>): Promise<Outbound[]> {
    const customer = message.event.subject;
    if (this.last.get(customer) !== message || !this.held.has(customer)) return [];
    return this.throttler.evaluate(tx, customer, this.clock.now());
  }
}
