import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Clock, eventTime } from '@onevoice/clock';
import { fulfilmentScope, Topics, type Permissions } from '@onevoice/contracts';
import { PERMISSIONS } from '@onevoice/runtime';
import type { EventBatch, Outbound } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import {
  answeredByReply,
  interactionEffects,
  type Interaction,
  type InteractionEffect,
} from '@onevoice/policy';
import type { EntityManager } from 'typeorm';
import { COORDINATOR_INBOX } from '../decisions/decisions.tokens';
import { CoordinatorService } from '../ledger/coordinator.service';
import { LedgerSession } from '../ledger/ledger-session';
import { LedgerRepository } from '../ledger/ledger.repository';

/**
 * What the customer did, as far as the one-voice rules care: fulfilment, cases, inbound contact,
 * engagement. What each event means is the gate's (`interactionEffects`); this carries it out.
 */
@Controller()
export class InteractionsConsumer {
  constructor(
    private readonly clock: Clock,
    @Inject(COORDINATOR_INBOX) private readonly inbox: IdempotentConsumer,
    private readonly ledger: LedgerRepository,
    private readonly coordinator: CoordinatorService,
    @Inject(PERMISSIONS) private readonly permissions: Permissions,
  ) {}

  @EventPattern(Topics.interactions)
  async onInteractions(@Payload() batch: EventBatch<Interaction>): Promise<void> {
    await this.inbox.process(batch, async (tx, { event }) => {
      await this.ledger.lockCustomer(tx, event.subject);
      const at = eventTime(event.time, this.clock);
      const out: Outbound[] = [];
      for (const effect of interactionEffects(event))
        out.push(...(await this.apply(tx, event, effect, at)));
      return out;
    });
  }

  private async apply(
    tx: EntityManager,
    event: Interaction,
    effect: InteractionEffect,
    at: Date,
  ): Promise<Outbound[]> {
    const customerId = event.subject;
    switch (effect.kind) {
      case 'inbound':
        await this.ledger.recordInbound(tx, customerId, effect.channel, at);
        return [];
      case 'timeline':
        await this.ledger.addTimeline(tx, customerId, at, effect.entry, effect.text, event.data);
        return [];
      case 'open-case':
        await this.ledger.openCase(tx, customerId, effect.caseId, effect.caseKind, at);
        return [];
      case 'close-case': {
        await this.ledger.closeCase(tx, customerId, effect.caseId);
        if (event.type !== 'case.closed' || event.data.kind !== 'outage') return [];
        // What still waits of the outage would arrive after the all-clear.
        const now = this.clock.now();
        const session = new LedgerSession(tx, this.ledger);
        await session.load([customerId], now, { heldDocuments: true });
        const out = this.coordinator.afterCaseClosed(session, customerId, now);
        await session.flush();
        return out;
      }
      case 'engaged':
        await this.ledger.markEngaged(tx, [effect.decisionId]);
        return [];
      case 'fulfil':
        return this.fulfil(
          tx,
          customerId,
          effect.intentKey,
          at,
          effect.summary,
          fulfilmentScope(this.permissions, event.source),
        );
      case 'reply': {
        const answered = await this.ledger.answeredByReply(tx, customerId, effect.keyword, at);
        const out: Outbound[] = [];
        if (answered)
          for (const next of answeredByReply(effect.keyword, answered))
            out.push(...(await this.apply(tx, event, next, at)));
        return out;
      }
    }
  }

  /**
   * A fulfilled intent cancels whatever of it has not gone out, reminders included — only
   * `ofSource`'s requests when the department may fulfil only its own (config/permissions.yaml).
   */
  private async fulfil(
    tx: EntityManager,
    customerId: string,
    intentKey: string,
    at: Date,
    summary: string,
    ofSource: string | undefined,
  ): Promise<Outbound[]> {
    await this.ledger.fulfil(tx, customerId, intentKey, at, ofSource);
    await this.ledger.addTimeline(
      tx,
      customerId,
      at,
      'fulfilment',
      ofSource ? `${summary} (${ofSource}'s own requests of it only)` : summary,
      { intentKey, ...(ofSource ? { ofSource } : {}) },
    );
    const now = this.clock.now();
    const session = new LedgerSession(tx, this.ledger);
    await session.load([customerId], now, { heldDocuments: true });
    const out = this.coordinator.afterFulfilment(session, customerId, intentKey, now, ofSource);
    await session.flush();
    return out;
  }
}
