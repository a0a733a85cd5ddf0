import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch, Outbound } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import type { EntityManager } from 'typeorm';
import { COORDINATOR_INBOX } from '../decisions/decisions.tokens';
import { CoordinatorService, hasGoneOut } from '../ledger/coordinator.service';
import { LedgerSession } from '../ledger/ledger-session';
import { LedgerRepository } from '../ledger/ledger.repository';
import { Clock, eventTime } from '@onevoice/clock';
import { calledOffByFulfilment } from '@onevoice/policy';

type Interaction = TopicEvent<typeof Topics.interactions>;

const ENGAGED = new Set(['opened', 'clicked', 'replied']);

/** What the customer did, as far as the one-voice rules care: fulfilment, cases, inbound contact, engagement. */
@Controller()
export class InteractionsConsumer {
  constructor(
    private readonly clock: Clock,
    @Inject(COORDINATOR_INBOX) private readonly inbox: IdempotentConsumer,
    private readonly ledger: LedgerRepository,
    private readonly coordinator: CoordinatorService,
  ) {}

  @EventPattern(Topics.interactions)
  async onInteractions(@Payload() batch: EventBatch<Interaction>): Promise<void> {
    await this.inbox.process(batch, async (tx, { event }) => {
      await this.ledger.lockCustomer(tx, event.subject);
      const at = eventTime(event.time, this.clock);
      switch (event.type) {
        case 'interaction.fulfilled':
          return this.fulfil(
            tx,
            event.subject,
            event.data.intentKey,
            at,
            `${event.source} reported "${event.data.intentKey}" done.`,
          );
        case 'interaction.payment':
          await this.ledger.recordInbound(tx, event.subject, event.data.channel, at);
          if (!event.data.fulfils) {
            await this.ledger.addTimeline(
              tx,
              event.subject,
              at,
              'interaction',
              `Paid ${event.data.amount} by ${event.data.channel}.`,
              event.data,
            );
            return [];
          }
          return this.fulfil(
            tx,
            event.subject,
            event.data.fulfils,
            at,
            `Paid ${event.data.amount} by ${event.data.channel}, settling "${event.data.fulfils}".`,
          );
        case 'case.opened':
          await this.ledger.openCase(tx, event.subject, event.data.caseId, event.data.kind, at);
          await this.ledger.addTimeline(
            tx,
            event.subject,
            at,
            'case',
            `${event.data.kind} case ${event.data.caseId} opened.`,
            event.data,
          );
          return [];
        case 'case.closed':
          await this.ledger.closeCase(tx, event.subject, event.data.caseId);
          await this.ledger.addTimeline(
            tx,
            event.subject,
            at,
            'case',
            `${event.data.kind} case ${event.data.caseId} closed.`,
            event.data,
          );
          return [];
        case 'interaction.inbound_contact':
          await this.ledger.recordInbound(tx, event.subject, event.data.channel, at);
          await this.ledger.addTimeline(
            tx,
            event.subject,
            at,
            'interaction',
            `The customer contacted us by ${event.data.channel}${event.data.reason ? `: ${event.data.reason}` : ''}.`,
            event.data,
          );
          return this.replied(tx, event.subject, event.data.text, at);
        case 'interaction.self_service':
          await this.ledger.addTimeline(
            tx,
            event.subject,
            at,
            'interaction',
            `Self-service on ${event.data.channel}: ${event.data.action}.`,
            event.data,
          );
          return [];
        case 'interaction.engagement':
          if (ENGAGED.has(event.data.action))
            await this.ledger.markEngaged(tx, event.data.decisionId);
          await this.ledger.addTimeline(
            tx,
            event.subject,
            at,
            'engagement',
            `The customer ${event.data.action} the ${event.data.channel} message.`,
            event.data,
          );
          return [];
      }
    });
  }

  /**
   * A reply with the word a message asked for ("reply BOOK") answers that message: it was engaged
   * with, and what it asked for is done — its reminders are called off, as on any fulfilment.
   */
  private async replied(
    tx: EntityManager,
    customerId: string,
    text: string | undefined,
    at: Date,
  ): Promise<Outbound[]> {
    const keyword = replyKeywordOf(text);
    if (!keyword) return [];
    const answered = await this.ledger.answeredByReply(tx, customerId, keyword, at);
    if (!answered) return [];
    await this.ledger.markEngaged(tx, answered.decisionId);
    return this.fulfil(
      tx,
      customerId,
      answered.intentKey,
      at,
      `Replied ${keyword} to ${answered.intentType}: "${answered.intentKey}" is done.`,
    );
  }

  /** A fulfilled intent cancels whatever of it has not gone out, reminders included. */
  private async fulfil(
    tx: EntityManager,
    customerId: string,
    intentKey: string,
    at: Date,
    summary: string,
  ): Promise<Outbound[]> {
    await this.ledger.fulfil(tx, customerId, intentKey, at);
    await this.ledger.addTimeline(tx, customerId, at, 'fulfilment', summary, { intentKey });
    const now = this.clock.now();
    const session = new LedgerSession(tx, this.ledger);
    await session.load([customerId], now, { heldDocuments: true });
    const { calledOff, reason } = calledOffByFulfilment(
      session.state(customerId).history.map((row) => ({
        row,
        intentKey: row.intent_key,
        status: row.status,
        goneOut: hasGoneOut(row, now),
      })),
      intentKey,
    );
    const out = calledOff.map(({ row }) => this.coordinator.cancel(session, row, now, reason));
    await session.flush();
    return out;
  }
}

/** The word a reply starts with, as a keyword ("book!" → BOOK); none for an empty text. */
export function replyKeywordOf(text: string | undefined): string | undefined {
  const first = text
    ?.trim()
    .split(/\s+/)[0]
    ?.replace(/[^\p{L}\p{N}]/gu, '');
  return first ? first.toUpperCase() : undefined;
}
