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
    let claimed = new Set<string>();
    let versions = new Map<string, number>();
    // The requests table is this consumer's inbox: a request stored is a message claimed, and
    // the decisions it caused are in the decision log (see RequestsAreTheInbox1764500000000). A
    // new request is stored once decided, with its decision (see LedgerRepository.applyWrites).
    const ledger: InboxLedger<ContactRequestEvent> = {
      claim: async (tx, _from, messages, ids) => {
        const requests = requestsOf(messages);
        // The batch's customers are locked, and its requests looked for, in one statement.
        const found = await this.ledger.lockAndFind(
          tx,
          requests.map((r) => r.customerId),
          requests.map((r) => r.requestKey),
        );
        versions = found.versions;
        claimed = new Set(ids.filter((id) => !found.stored.has(id)));
        const seenBefore = [...new Set(ids.filter((id) => found.stored.has(id)))];
        return {
          claimed,
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
        if (!result.ok || !claimed.has(result.request.requestKey)) return [];
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
        // last did, or else read in one statement; the new requests join it, the decisions are
        // made in memory, and everything is written together.
        prepare: async (tx, fresh) => {
          session = new LedgerSession(tx, this.ledger);
          const requests = requestsOf(fresh);
          const customers = [...new Set(requests.map((r) => r.customerId))];
          for (const customerId of customers) {
            const kept = this.cache.take(customerId, versions.get(customerId)!);
            if (kept) session.adopt(customerId, kept);
          }
          await session.load(customers, now);
          // Each is stored with where it was read (a request twice in the batch: where it first
          // appears, the message the inbox hands over).
          for (const m of fresh) {
            const r = mapped.get(m)!;
            if (r.ok) session.addRequest(r.request, { topic: m.topic, offset: m.offset });
          }
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
