import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type IntentCatalogue, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { CoordinatorService } from '../ledger/coordinator.service';
import { LedgerRepository } from '../ledger/ledger.repository';
import { toStoredRequest } from './contact-request.mapper';
import { COORDINATOR_INBOX } from './decisions.tokens';

type ContactRequestEvent = TopicEvent<typeof Topics.contactRequests>;

/** Every contact request passes the one-voice gate here. */
@Controller()
export class DecisionsConsumer {
  constructor(
    @Inject(COORDINATOR_INBOX) private readonly inbox: IdempotentConsumer,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    private readonly ledger: LedgerRepository,
    private readonly coordinator: CoordinatorService,
  ) {}

  @EventPattern(Topics.contactRequests)
  async onContactRequests(@Payload() batch: EventBatch<ContactRequestEvent>): Promise<void> {
    const mapped = new Map(
      batch.messages.map((m) => [m, toStoredRequest(m.event, this.catalogue)]),
    );
    for (const [message, result] of mapped) if (!result.ok) batch.reject(message, result.rejection);
    await this.inbox.process(
      batch,
      async (tx, message) => {
        const result = mapped.get(message)!;
        if (!result.ok) return [];
        const request = result.request;
        const now = new Date();
        await this.ledger.lockCustomer(tx, request.customerId);
        if (!(await this.ledger.insertRequest(tx, request, 'pending'))) return [];
        await this.ledger.addTimeline(
          tx,
          request.customerId,
          request.receivedAt,
          'request',
          `${request.source} asked to send ${request.intentType} ("${request.intentKey}").`,
          {
            requestId: request.requestId,
            source: request.source,
            intentType: request.intentType,
            intentKey: request.intentKey,
          },
        );
        return this.coordinator.decideAndApply(tx, request.customerId, request.requestKey, now);
      },
      batch.messages.filter((m) => mapped.get(m)!.ok),
    );
  }
}
