import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type IntentCatalogue, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch, InboundMessage } from '@onevoice/messaging';
import type { IdempotentConsumer, InboxLedger } from '@onevoice/persistence';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { CoordinatorService } from '../ledger/coordinator.service';
import { LedgerCache } from '../ledger/ledger-cache';
import { LedgerSession } from '../ledger/ledger-session';
import { LedgerRepository } from '../ledger/ledger.repository';
import { addPendingRequest } from '../ledger/ledger.types';
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
    private readonly cache: LedgerCache,
  ) {}

  @EventPattern(Topics.contactRequests)
  async onContactRequests(@Payload() batch: EventBatch<ContactRequestEvent>): Promise<void> {
    const mapped = new Map(
      batch.messages.map((m) => [m, toStoredRequest(m.event, this.catalogue)]),
    );
    for (const [message, result] of mapped) if (!result.ok) batch.reject(message, result.rejection);
    const requestsOf = (messages: readonly InboundMessage<ContactRequestEvent>[]) =>
      messages.flatMap((m) => {
        const r = mapped.get(m)!;
        return r.ok ? [r.request] : [];
      });
    const now = new Date();
    let session: LedgerSession | undefined;
    let inserted = new Set<string>();
    let versions = new Map<string, number>();
    // The requests table is this consumer's inbox: a request stored is a message claimed, and
    // the decisions it caused are in the decision log (see RequestsAreTheInbox1764500000000).
    const ledger: InboxLedger<ContactRequestEvent> = {
      claim: async (tx, from, messages, ids) => {
        const requests = requestsOf(messages);
        // A request twice in one batch was read where it first appears.
        const offsets = new Map<string, string>();
        messages.forEach((m, i) => offsets.has(ids[i]!) || offsets.set(ids[i]!, m.offset));
        // The batch's customers are locked and its requests stored in one statement.
        ({ inserted, versions } = await this.ledger.insertRequests(tx, requests, {
          lock: true,
          from: (r) => ({ topic: from.topic, offset: offsets.get(r.requestKey)! }),
        }));
        const seenBefore = [...new Set(ids.filter((id) => !inserted.has(id)))];
        return {
          claimed: inserted,
          earlier: await this.ledger.earlierClaims(tx, seenBefore, Topics.decisions),
        };
      },
      // Each decision was logged with its cause as it was made.
      keep: () => Promise.resolve(),
    };
    await this.inbox.process(
      batch,
      async (_tx, message) => {
        const result = mapped.get(message)!;
        if (!result.ok || !inserted.has(result.request.requestKey)) return [];
        session!.cause = result.request.requestKey;
        return this.coordinator.decideAndApply(
          session!,
          result.request.customerId,
          result.request.requestKey,
          now,
        );
      },
      batch.messages.filter((m) => mapped.get(m)!.ok),
      {
        ledger,
        // Its customers' state is taken from memory where nobody changed it since this instance
        // last did (the new requests join it as stored), or else read in one statement; the
        // decisions are then made in memory and written together.
        prepare: async (tx, claimed) => {
          session = new LedgerSession(tx, this.ledger);
          const requests = requestsOf(claimed);
          const looked = new Set<string>();
          const adopted = new Set<string>();
          for (const r of requests) {
            if (!looked.has(r.customerId)) {
              looked.add(r.customerId);
              const kept = this.cache.take(r.customerId, versions.get(r.customerId)!);
              if (kept) {
                session.adopt(r.customerId, kept);
                adopted.add(r.customerId);
              }
            }
            if (adopted.has(r.customerId))
              addPendingRequest(session.state(r.customerId).history, r);
          }
          await session.load(
            requests.map((r) => r.customerId),
            now,
          );
        },
        finish: async () => {
          await session?.flush();
        },
      },
    );
    // Committed: the ledgers stay in memory as this batch left them, at the versions it locked.
    for (const [customerId, state] of session?.customers() ?? [])
      this.cache.keep(customerId, versions.get(customerId)!, state);
  }
}
