import { Controller, Inject, type OnModuleInit } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type IntentCatalogue, type TopicEvent } from '@onevoice/contracts';
import {
  EventPublisher,
  type EventBatch,
  type InboundMessage,
  type Outbound,
} from '@onevoice/messaging';
import {
  failpoint,
  type IdempotentConsumer,
  type InboxLedger,
  ErasedCustomers,
} from '@onevoice/persistence';
import { INTENT_CATALOGUE, ReadinessRegistry } from '@onevoice/runtime';
import { DataSource } from 'typeorm';
import { CoordinatorService } from '../ledger/coordinator.service';
import { LedgerCache } from '../ledger/ledger-cache';
import { LedgerSession } from '../ledger/ledger-session';
import { LedgerRepository } from '../ledger/ledger.repository';
import type { CustomerState } from '../ledger/ledger.types';
import { toStoredRequest } from './contact-request.mapper';
import { observeDecisionLatency } from './decision-metrics';
import { COORDINATOR_INBOX } from './decisions.tokens';
import { Clock } from '@onevoice/clock';

type ContactRequestEvent = TopicEvent<typeof Topics.contactRequests>;
type Mapped = Map<InboundMessage<ContactRequestEvent>, ReturnType<typeof toStoredRequest>>;

/** Every contact request passes the one-voice gate here. */
@Controller()
export class DecisionsConsumer implements OnModuleInit {
  /**
   * Batches decided from kept ledgers: written in one statement, or found a ledger changed
   * meanwhile (and decided again under the lock).
   */
  private readonly fromMemory = { written: 0, changedMeanwhile: 0 };

  constructor(
    private readonly clock: Clock,
    @Inject(COORDINATOR_INBOX) private readonly inbox: IdempotentConsumer,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    private readonly ledger: LedgerRepository,
    private readonly coordinator: CoordinatorService,
    private readonly cache: LedgerCache,
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly readiness: ReadinessRegistry,
    private readonly erased: ErasedCustomers,
  ) {}

  /** How the kept ledgers serve, on the readiness probe (it never fails on them). */
  onModuleInit(): void {
    this.readiness.register('ledgerCache', () => ({
      ok: true,
      detail: { ...this.cache.stats(), batchesFromMemory: { ...this.fromMemory } },
    }));
  }

  @EventPattern(Topics.contactRequests)
  async onContactRequests(@Payload() batch: EventBatch<ContactRequestEvent>): Promise<void> {
    const now = this.clock.now();
    const mapped: Mapped = new Map(
      batch.messages.map((m) => [m, toStoredRequest(m.event, this.catalogue, now)]),
    );
    for (const [message, result] of mapped) if (!result.ok) batch.reject(message, result.rejection);
    // Requests that arrive together compete by priority: the most urgent is decided first and
    // takes a contested budget (otherwise Kafka's order stands).
    const ordered = this.coordinator.inPriorityOrder(
      // A request about a customer erased since it was sent is not decided.
      this.erased.without(
        batch.messages.filter((m) => mapped.get(m)!.ok),
        (m) => m.event.subject,
      ),
      (m) => requestsOf(mapped, [m])[0]!,
    );
    if (!(await this.decideFromMemory(batch, mapped, ordered, now)))
      await this.decideUnderLock(batch, mapped, ordered, now);
    observeDecisionLatency(ordered);
  }

  /**
   * A batch whose customers' ledgers are all kept in memory (see LedgerCache) is decided there and
   * written in one statement, its own transaction: no lock taken first, no BEGIN and COMMIT — one
   * round trip to the database instead of four, which counts most where batches are small (a
   * steady stream rather than a backlog). The statement writes only if every one of those ledgers
   * is still at the version kept, that is if nobody changed those customers since (see
   * LedgerRepository.applyWrites; this instance's own other paths forget a ledger as they lock
   * it). If one was changed, nothing is written, the kept ledgers are forgotten, and the batch is
   * decided under the customers' locks from a fresh read (its messages' process spans then appear
   * twice in their traces).
   */
  private async decideFromMemory(
    batch: EventBatch<ContactRequestEvent>,
    mapped: Mapped,
    messages: readonly InboundMessage<ContactRequestEvent>[],
    now: Date,
  ): Promise<boolean> {
    const requests = requestsOf(mapped, messages);
    if (requests.length === 0) return false;
    // A request twice in the batch, or seen before (redelivered, sent again): the inbox's way.
    if (new Set(requests.map((r) => r.requestKey)).size !== requests.length) return false;
    const kept = new Map<string, { version: number; state: CustomerState }>();
    for (const r of requests) {
      const entry = kept.get(r.customerId) ?? this.cache.peek(r.customerId);
      if (!entry || entry.state.history.some((h) => h.request_key === r.requestKey)) return false;
      kept.set(r.customerId, entry);
    }
    // The kept ledgers change from here on: forgotten now, kept again once written.
    for (const customerId of kept.keys()) this.cache.drop(customerId);
    const session = new LedgerSession(this.dataSource.manager, this.ledger);
    for (const [customerId, { state }] of kept) session.adopt(customerId, state);
    addRequests(session, mapped, messages);
    const out: Outbound[] = [];
    for (const [i, m] of messages.entries()) {
      const r = requests[i]!;
      session.cause = r.requestKey;
      out.push(
        ...(await batch.trace(m, () =>
          Promise.resolve(
            this.coordinator.decideAndApply(session, r.customerId, r.requestKey, now),
          ),
        )),
      );
    }
    const written = await session.flush(
      new Map([...kept].map(([customerId, { version }]) => [customerId, version])),
    );
    if (!written) {
      this.fromMemory.changedMeanwhile++;
      return false;
    }
    this.fromMemory.written++;
    // Crash tests stop here, as in the inbox: written, nothing published, no offset committed.
    failpoint(`after-commit:${batch.topic}`);
    await this.publisher.publish(out);
    for (const [customerId, { version }] of kept)
      this.cache.keep(customerId, version + 1, session.state(customerId));
    return true;
  }

  private async decideUnderLock(
    batch: EventBatch<ContactRequestEvent>,
    mapped: Mapped,
    messages: readonly InboundMessage<ContactRequestEvent>[],
    now: Date,
  ): Promise<void> {
    let session: LedgerSession | undefined;
    let claimed = new Set<string>();
    let versions = new Map<string, number>();
    // The requests table is this consumer's inbox: a request stored is a message claimed, and
    // the decisions it caused are in the decision log (see RequestsAreTheInbox1764500000000). A
    // new request is stored once decided, with its decision (see LedgerRepository.applyWrites).
    const ledger: InboxLedger<ContactRequestEvent> = {
      claim: async (tx, _from, messages, ids) => {
        const requests = requestsOf(mapped, messages);
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
      messages,
      {
        ledger,
        // Its customers' state is taken from memory where nobody changed it since this instance
        // last did, or else read in one statement; the new requests join it, the decisions are
        // made in memory, and everything is written together.
        prepare: async (tx, fresh) => {
          session = new LedgerSession(tx, this.ledger);
          const requests = requestsOf(mapped, fresh);
          const customers = [...new Set(requests.map((r) => r.customerId))];
          for (const customerId of customers) {
            const kept = this.cache.take(customerId, versions.get(customerId)!);
            if (kept) session.adopt(customerId, kept);
          }
          await session.load(customers, now);
          // A request twice in the batch is stored where it first appears, the message the inbox
          // hands over.
          addRequests(session, mapped, fresh);
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

/** The stored requests of these messages (those the mapper accepted), in order. */
function requestsOf(mapped: Mapped, messages: readonly InboundMessage<ContactRequestEvent>[]) {
  return messages.flatMap((m) => {
    const r = mapped.get(m)!;
    return r.ok ? [r.request] : [];
  });
}

/** The messages' requests join the session as new ones, each with where it was read. */
function addRequests(
  session: LedgerSession,
  mapped: Mapped,
  messages: readonly InboundMessage<ContactRequestEvent>[],
): void {
  for (const m of messages) {
    const r = mapped.get(m)!;
    if (r.ok) session.addRequest(r.request, { topic: m.topic, offset: m.offset });
  }
}
