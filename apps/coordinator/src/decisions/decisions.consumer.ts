import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type IntentCatalogue, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { CoordinatorService } from '../ledger/coordinator.service';
import { LedgerSession } from '../ledger/ledger-session';
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
    const now = new Date();
    let session: LedgerSession | undefined;
    let inserted = new Set<string>();
    await this.inbox.process(
      batch,
      async (_tx, message) => {
        const result = mapped.get(message)!;
        if (!result.ok || !inserted.has(result.request.requestKey)) return [];
        return this.coordinator.decideAndApply(
          session!,
          result.request.customerId,
          result.request.requestKey,
          now,
        );
      },
      batch.messages.filter((m) => mapped.get(m)!.ok),
      {
        // The batch's customers are locked, its requests stored and its customers' state read
        // in one statement each; the decisions are then made in memory and written together.
        prepare: async (tx, claimed) => {
          const requests = claimed.flatMap((m) => {
            const r = mapped.get(m)!;
            return r.ok ? [r.request] : [];
          });
          const customers = requests.map((r) => r.customerId);
          inserted = await this.ledger.insertRequests(tx, requests, { lock: true });
          session = new LedgerSession(tx, this.ledger);
          await session.load(customers, now);
          for (const r of requests.filter((x) => inserted.has(x.requestKey))) {
            session.addTimeline(
              r.customerId,
              r.receivedAt,
              'request',
              `${r.source} asked to send ${r.intentType} ("${r.intentKey}").`,
              {
                requestId: r.requestId,
                source: r.source,
                intentType: r.intentType,
                intentKey: r.intentKey,
              },
            );
          }
        },
        finish: async () => {
          await session?.flush();
        },
      },
    );
  }
}
