import type {
  DecisionData,
  IntentCatalogue,
  Permissions,
  ProfileData,
  TopicEvent,
  Topics,
} from '@onevoice/contracts';
import { fulfilmentScope } from '@onevoice/contracts';
import type { Outbound } from '@onevoice/messaging';
import {
  answeredByReply,
  interactionEffects,
  refusesMore,
  type Interaction,
  type InteractionEffect,
  type Policy,
} from '@onevoice/policy';
import { CoordinatorService, hasGoneOut, refusalsOf } from '../ledger/coordinator.service';
import { LedgerSession } from '../ledger/ledger-session';
import { addPendingRequest, type CustomerState } from '../ledger/ledger.types';
import { toStoredRequest } from '../decisions/contact-request.mapper';
import { nextReminder, reminderRequest } from '../ledger/reminders';

type ContactRequestEvent = TopicEvent<typeof Topics.contactRequests>;

/** How long settled requests stay in a simulated ledger: as long as the coordinator loads them. */
const HISTORY_MS = 90 * 86_400_000;

/**
 * One customer's coordinator, in memory: the same `CoordinatorService` the service runs (every
 * rule, refusal, displacement, digest and reminder) over a ledger kept in this object instead of
 * Postgres. What the service's repository does in SQL (a case opened, a fulfilment recorded, a
 * message marked sent and its reminder planned) is done here on the same `CustomerState`. Used by
 * the population simulator and the what-if replay; never by the running service.
 */
export class SimulatedCoordinator {
  readonly state: CustomerState = { history: [], cases: [], fulfilled: [] };
  private readonly session: LedgerSession;

  constructor(
    readonly customerId: string,
    private readonly coordinator: CoordinatorService,
    private readonly catalogue: IntentCatalogue,
    private readonly permissions: Permissions,
  ) {
    // No transaction and no repository: the session is only ever given this state, never
    // flushed, and publishes nothing.
    this.session = new LedgerSession(undefined as never, undefined as never, false);
    this.session.adopt(customerId, this.state);
  }

  static of(
    customerId: string,
    policy: Policy,
    catalogue: IntentCatalogue,
    permissions: Permissions,
  ): SimulatedCoordinator {
    return new SimulatedCoordinator(
      customerId,
      new CoordinatorService(policy),
      catalogue,
      permissions,
    );
  }

  /** A contact request as the coordinator receives it; its decisions (none: rejected, with why). */
  request(event: ContactRequestEvent, now: Date): DecisionData[] | { rejected: string } {
    const mapped = toStoredRequest(event, this.catalogue, now);
    if (!mapped.ok) return { rejected: mapped.rejection.reason };
    if (this.state.history.some((h) => h.request_key === mapped.request.requestKey)) return [];
    addPendingRequest(this.state.history, mapped.request);
    return this.decisions(() =>
      this.coordinator.decideAndApply(
        this.session,
        this.customerId,
        mapped.request.requestKey,
        now,
      ),
    );
  }

  /** What the customer did, as the interactions consumer carries it out. */
  interaction(event: Interaction, now: Date): DecisionData[] {
    const at = event.time ? new Date(event.time) : now;
    return interactionEffects(event).flatMap((effect) => this.apply(event, effect, at, now));
  }

  /** A new profile from the profiler: kept, and a refusal in it takes back what has not gone out. */
  profile(profile: ProfileData, now: Date): DecisionData[] {
    const previous = this.state.profile;
    if (previous && previous.version >= profile.version) return [];
    this.state.profile = profile;
    if (!refusesMore(previous && refusalsOf(previous), refusalsOf(profile), now)) return [];
    return this.decisions(() =>
      this.coordinator.afterRefusal(this.session, this.customerId, previous, profile, now),
    );
  }

  /** Every held request due at `now`, the most urgent first. */
  due(now: Date): DecisionData[] {
    return this.decisions(() => this.coordinator.decideDue(this.session, this.customerId, now));
  }

  /** When the next held request comes due (none: nothing held). */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const h of this.state.history)
      if (h.status === 'deferred' && h.at && (next === undefined || h.at.getTime() < next))
        next = h.at.getTime();
    return next;
  }

  /**
   * The dispatcher says a decision's message went out on `channel`: marked sent, and its next
   * reminder (if its intent has one) planned as a held request of the coordinator's own.
   */
  sent(decisionId: string, channel: DecisionData['channel'] & string, at: Date): void {
    const row = this.state.history.find((h) => h.decision_id === decisionId);
    if (!row || (row.sent && row.channel === channel)) return;
    row.sent = true;
    row.channel = channel;
    const request = row.request;
    if (!request) return;
    const plan = nextReminder(this.catalogue, request, decisionId, at);
    if (!plan) return;
    const reminder = reminderRequest(request, plan);
    if (this.state.history.some((h) => h.request_key === reminder.requestKey)) return;
    const held = addPendingRequest(this.state.history, reminder);
    held.status = 'deferred';
    held.at = plan.due;
  }

  /**
   * Forgets what no decision can read any more, as the coordinator's loads leave it out: settled
   * requests older than the history it loads. Keeps a simulated customer's state bounded.
   */
  prune(now: Date): void {
    const horizon = now.getTime() - HISTORY_MS;
    const h = this.state.history;
    if (h.length === 0 || h[0]!.received_at.getTime() > horizon) return;
    this.state.history = h.filter(
      (r) =>
        r.received_at.getTime() > horizon ||
        r.status === 'pending' ||
        r.status === 'deferred' ||
        (r.status === 'approved' && !hasGoneOut(r, now)),
    );
    this.state.fulfilled = this.state.fulfilled.filter((f) => Date.parse(f.at) > horizon);
    this.session.adopt(this.customerId, this.state);
  }

  private apply(
    event: Interaction,
    effect: InteractionEffect,
    at: Date,
    now: Date,
  ): DecisionData[] {
    switch (effect.kind) {
      case 'inbound':
        if (!this.state.inbound || Date.parse(this.state.inbound.at) <= at.getTime())
          this.state.inbound = { channel: effect.channel, at: at.toISOString() };
        return [];
      case 'timeline':
        return [];
      case 'open-case':
        if (!this.state.cases.some((c) => c.caseId === effect.caseId))
          this.state.cases.push({ caseId: effect.caseId, kind: effect.caseKind });
        return [];
      case 'close-case':
        this.state.cases = this.state.cases.filter((c) => c.caseId !== effect.caseId);
        if (event.type !== 'case.closed' || event.data.kind !== 'outage') return [];
        return this.decisions(() =>
          this.coordinator.afterCaseClosed(this.session, this.customerId, now),
        );
      case 'engaged':
        for (const h of this.state.history)
          if (h.decision_id === effect.decisionId) h.engaged = true;
        return [];
      case 'fulfil':
        return this.fulfil(
          effect.intentKey,
          at,
          now,
          fulfilmentScope(this.permissions, event.source),
        );
      case 'reply': {
        const answered = this.answeredByReply(effect.keyword, at);
        return answered
          ? answeredByReply(effect.keyword, answered).flatMap((next) =>
              this.apply(event, next, at, now),
            )
          : [];
      }
    }
  }

  private fulfil(intentKey: string, at: Date, now: Date, ofSource?: string): DecisionData[] {
    if (
      !this.state.fulfilled.some(
        (f) => f.intentKey === intentKey && (f.source ?? undefined) === ofSource,
      )
    )
      this.state.fulfilled.push({ intentKey, at: at.toISOString(), source: ofSource ?? null });
    return this.decisions(() =>
      this.coordinator.afterFulfilment(this.session, this.customerId, intentKey, now, ofSource),
    );
  }

  /** The latest message that went out asking for this reply word and has not expired. */
  private answeredByReply(keyword: string, at: Date) {
    for (let i = this.state.history.length - 1; i >= 0; i--) {
      const row = this.state.history[i]!;
      const r = row.request;
      if (
        row.sent &&
        row.decision_id &&
        r?.action.replyKeyword?.toUpperCase() === keyword &&
        Date.parse(r.expiresAt) > at.getTime()
      )
        return { decisionId: row.decision_id, intentKey: r.intentKey, intentType: r.intentType };
    }
    return undefined;
  }

  private decisions(made: () => Outbound[]): DecisionData[] {
    return made().map((o) => o.event.data as DecisionData);
  }
}
