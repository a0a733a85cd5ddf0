import { Inject, Injectable } from '@nestjs/common';
import {
  cloudEvent,
  decisionEventType,
  Topics,
  type CaseKind,
  type Channel,
  type DecisionData,
  type DecisionOutcome,
  type DecisionReason,
  type ProfileData,
  type Touchpoint,
} from '@onevoice/contracts';
import { outbound, type Outbound } from '@onevoice/messaging';
import {
  calledOffByFulfilment,
  calledOffByOutageEnd,
  clockTimes,
  decide,
  displaced,
  inPriorityOrder,
  supersededBy,
  calledOffByRefusal,
  refusalFor,
  type ContactRequest,
  type CustomerLedger,
  type CustomerProfile,
  type Decision,
  type LedgerDecision,
  type Policy,
} from '@onevoice/policy';
import { contactsInWindows, noteContactsInWindows } from '../decisions/decision-metrics';
import { POLICY } from '../policy/policy.provider';
import { decisionIdFor } from './decision-ids';
import type { LedgerSession } from './ledger-session';
import { requestOf, type RequestRow, type StoredRequest } from './ledger.types';

export const DECISION_SOURCE = 'onevoice/coordinator';

/**
 * Decides a customer's requests with the policy engine, against the ledger, and records each
 * decision: the request's new state, the decision log (which the timeline reads), and the event
 * to publish. Callers hold the customer's lock and the transaction.
 */
@Injectable()
export class CoordinatorService {
  constructor(@Inject(POLICY) private readonly policy: Policy) {}

  /**
   * Decides one pending or held request of a loaded customer; returns what to publish. With
   * `again`, an approval that has not gone out is decided again too (the customer refused it
   * since: see `afterRefusal`), and `again` is the decision's last reason.
   */
  decideAndApply(
    session: LedgerSession,
    customerId: string,
    requestKey: string,
    now: Date,
    again?: DecisionReason,
  ): Outbound[] {
    const { history, cases, fulfilled, inbound, profile } = session.state(customerId);
    const row = history.find((h) => h.request_key === requestKey);
    const approvedBefore = row?.status === 'approved' && again !== undefined;
    if (!row || (row.status !== 'pending' && row.status !== 'deferred' && !approvedBefore))
      return [];
    const ledger: CustomerLedger = {
      decisions: history
        .filter((h) => h.request_key !== requestKey && h.decision_id)
        .map((h) => toLedgerDecision(h, now)),
      openCases: cases.map((c) => ({ caseId: c.caseId, kind: c.kind as CaseKind })),
      fulfilledIntents: fulfilled.map((f) => ({
        intentKey: f.intentKey,
        at: new Date(f.at),
        ...(f.source ? { source: f.source } : {}),
      })),
      ...(inbound
        ? { lastInbound: { channel: inbound.channel as Touchpoint, at: new Date(inbound.at) } }
        : {}),
    };
    const request = {
      ...toEngineRequest(requestOf(row)),
      // An approval not gone out had told the customer nothing: it may move to another channel.
      ...(row.channel && !approvedBefore ? { previousChannel: row.channel } : {}),
      ...(row.decision_id ? { heldBefore: true } : {}),
    };
    const engineProfile = toEngineProfile(profile, request.category, this.policy.timeZones);
    const decided = decide({ request, ledger, profile: engineProfile, policy: this.policy, now });
    const decision = again ? { ...decided, reasons: [...decided.reasons, again] } : decided;
    if (
      approvedBefore &&
      decision.outcome === 'approved' &&
      decision.channel === row.channel &&
      decision.sendAfter.getTime() === row.at?.getTime()
    )
      return []; // Unchanged: a critical message the new do-not-disturb lets through.
    const out: Outbound[] = [];
    const byKey = (id: string) => history.find((h) => h.decision_id === id);

    switch (decision.outcome) {
      case 'approved': {
        // A request merged into this digest that the customer refused since (its category, or
        // on this channel) is called off rather than carried with it.
        const merged = (row.decision_id ? session.mergedInto(customerId, row.decision_id) : [])
          .map((key) => history.find((h) => h.request_key === key)!)
          .filter((m) => {
            const why = refusalFor(
              engineProfile,
              this.policy.consentRequired,
              decision.channel,
              m.category,
            );
            if (why)
              out.push(
                this.cancel(session, m, now, {
                  rule: 'consent',
                  code: 'refused_after_decision',
                  text: `Called off: the customer ${why}.`,
                }),
              );
            return !why;
          })
          .map((m) => m.request_key);
        out.push(
          this.record(session, row, now, 'approved', decision.reasons, {
            channel: decision.channel,
            at: decision.sendAfter,
            sendBefore: decision.sendBefore,
            mergedRequestIds: merged,
            fallback: fallbackData(
              decision.fallback,
              engineProfile,
              request.expiresAt,
              this.policy,
            ),
          }),
        );
        for (const id of decision.supersedes) {
          const old = byKey(id);
          if (old) out.push(this.cancel(session, old, now, supersededBy(old.intent_key)));
        }
        for (const id of decision.displaces) {
          const old = byKey(id);
          if (!old) continue;
          const { until, reason } = displaced(this.policy, now);
          // It keeps its channel: one intent, one channel.
          out.push(
            this.record(session, old, now, 'deferred', [reason], {
              ...(old.channel ? { channel: old.channel } : {}),
              at: until,
            }),
          );
        }
        return out;
      }
      case 'deferred':
        return [
          this.record(session, row, now, 'deferred', decision.reasons, { at: decision.until }),
        ];
      case 'merged':
        return [
          this.record(session, row, now, 'merged', decision.reasons, {
            mergedInto: decision.into,
          }),
        ];
      case 'suppressed':
        return [this.record(session, row, now, 'suppressed', decision.reasons, {})];
    }
  }

  /**
   * What a customer's refusal (`before` → `after`, learnt at `now`) does to their requests that
   * have not gone out (see `calledOffByRefusal`): approvals decided again, held requests called
   * off or held without the refused channel. Returns what to publish.
   */
  afterRefusal(
    session: LedgerSession,
    customerId: string,
    before: ProfileData | undefined,
    after: ProfileData,
    now: Date,
  ): Outbound[] {
    const { history } = session.state(customerId);
    const channelOf = (decisionId: string | null) =>
      decisionId
        ? (history.find((h) => h.decision_id === decisionId)?.channel ?? undefined)
        : undefined;
    const effects = calledOffByRefusal(
      history.map((row) => ({
        row,
        status: row.status,
        category: row.category,
        channel: row.channel ?? undefined,
        followsUpOn: channelOf(row.reminder_of),
        at: row.at ?? undefined,
        goneOut: hasGoneOut(row, now),
        decisionId: row.decision_id ?? undefined,
        mergedInto: row.merged_into ?? undefined,
      })),
      before && refusalsOf(before),
      refusalsOf(after),
      this.policy.consentRequired,
      now,
    );
    return effects.flatMap(({ kind, request: { row }, reason }) => {
      switch (kind) {
        case 'redecide':
          return this.decideAndApply(session, customerId, row.request_key, now, reason);
        case 'hold':
          return [
            this.record(session, row, now, 'deferred', [reason], {
              ...(row.at ? { at: row.at } : {}),
            }),
          ];
        case 'call-off':
          return [this.cancel(session, row, now, reason)];
      }
    });
  }

  /** `items` the most urgent first, otherwise in the order given (see `inPriorityOrder`). */
  inPriorityOrder<T>(
    items: readonly T[],
    of: (item: T) => { urgency: string; category: string },
  ): T[] {
    return inPriorityOrder(this.policy, items, of);
  }

  /**
   * Decides again every held request of a loaded customer that is due at `now`, the most urgent
   * first (then the earliest due): requests that come due together — deferred to the same moment
   * for the same budget, say — compete for it by priority, not by which one the scheduler happened
   * to find first. A request another decision here moved on (merged, displaced to later) is left,
   * and so is one not in `claimed` (when given: those this transaction holds).
   */
  decideDue(
    session: LedgerSession,
    customerId: string,
    now: Date,
    claimed?: ReadonlySet<string>,
  ): Outbound[] {
    const due = (h: RequestRow) =>
      h.status === 'deferred' &&
      h.at !== null &&
      h.at.getTime() <= now.getTime() &&
      (!claimed || claimed.has(h.request_key));
    const earliestFirst = session
      .state(customerId)
      .history.filter(due)
      .sort((a, b) => a.at!.getTime() - b.at!.getTime());
    return this.inPriorityOrder(earliestFirst, (h) => h).flatMap((h) =>
      due(h) ? this.decideAndApply(session, customerId, h.request_key, now) : [],
    );
  }

  /** What the requests merged into a digest say, so the one message can name each. */
  private mergedContent(
    session: LedgerSession,
    customerId: string,
    requestKeys: readonly string[],
  ): DecisionData['merged'] {
    const byKey = new Map(session.state(customerId).history.map((h) => [h.request_key, h]));
    return requestKeys.flatMap((key) => {
      const row = byKey.get(key);
      const r = row && requestOf(row);
      return r
        ? [
            {
              requestId: r.requestId,
              requestSource: r.source,
              intentType: r.intentType,
              intentKey: r.intentKey,
              variables: r.variables,
              action: r.action,
            },
          ]
        : [];
    });
  }

  /**
   * A fulfilled intent calls off whatever of it has not gone out, reminders included — only
   * `ofSource`'s requests when the department may fulfil only its own (config/permissions.yaml).
   * Returns what to publish.
   */
  afterFulfilment(
    session: LedgerSession,
    customerId: string,
    intentKey: string,
    now: Date,
    ofSource: string | undefined,
  ): Outbound[] {
    const { calledOff, reason } = calledOffByFulfilment(
      session.state(customerId).history.map((row) => ({
        row,
        intentKey: row.intent_key,
        status: row.status,
        goneOut: hasGoneOut(row, now),
        // A reminder is the department's whose message it follows up.
        source: row.request?.reminder?.department ?? row.request?.source,
      })),
      intentKey,
      ofSource,
    );
    return calledOff.map(({ row }) => this.cancel(session, row, now, reason));
  }

  /**
   * An outage case closed: the customer's outage messages still waiting are called off once no
   * outage affects them (see `calledOffByOutageEnd`). Returns what to publish.
   */
  afterCaseClosed(session: LedgerSession, customerId: string, now: Date): Outbound[] {
    const { history, cases } = session.state(customerId);
    const { calledOff, reason } = calledOffByOutageEnd(
      history.map((row) => ({
        row,
        category: row.category,
        intentType: row.request?.intentType ?? '',
        status: row.status,
        goneOut: hasGoneOut(row, now),
      })),
      cases.map((c) => c.kind),
    );
    return calledOff.map(({ row }) => this.cancel(session, row, now, reason));
  }

  /** Takes back a request that has not gone out (fulfilled, superseded): suppressed, with why. */
  cancel(session: LedgerSession, row: RequestRow, now: Date, reason: DecisionReason): Outbound {
    return this.record(session, row, now, 'suppressed', [reason], {});
  }

  private record(
    session: LedgerSession,
    row: RequestRow,
    now: Date,
    outcome: DecisionOutcome,
    reasons: readonly DecisionReason[],
    s: {
      channel?: Channel;
      at?: Date;
      sendBefore?: Date;
      mergedInto?: string;
      mergedRequestIds?: string[];
      fallback?: DecisionData['fallback'];
    },
  ): Outbound {
    const r = requestOf(row);
    const replaces = row.decision_id;
    const decisionId = decisionIdFor(row.request_key, row.decision_count + 1);
    session.update(row, {
      status: outcome,
      decision_id: decisionId,
      decision_count: row.decision_count + 1,
      channel: s.channel ?? null,
      at: s.at ?? null,
      send_before: s.sendBefore ?? null,
      merged_into: s.mergedInto ?? null,
    });
    const data: DecisionData = {
      decisionId,
      requestId: r.requestId,
      requestSource: r.source,
      outcome,
      intentType: r.intentType,
      intentKey: r.intentKey,
      category: r.category,
      urgency: r.urgency,
      ...(s.channel ? { channel: s.channel } : {}),
      ...(outcome === 'approved' && s.at ? { sendAfter: s.at.toISOString() } : {}),
      ...(outcome === 'approved' && s.sendBefore ? { sendBefore: s.sendBefore.toISOString() } : {}),
      ...(outcome === 'deferred' && s.at ? { deferredUntil: s.at.toISOString() } : {}),
      ...(s.mergedInto ? { mergedInto: s.mergedInto } : {}),
      mergedRequestIds: s.mergedRequestIds ?? [],
      ...(s.mergedRequestIds?.length
        ? { merged: this.mergedContent(session, row.customer_id, s.mergedRequestIds) }
        : {}),
      ...(s.fallback ? { fallback: s.fallback } : {}),
      ...(replaces ? { replaces } : {}),
      ...(r.reminder ? { reminderOf: r.reminder.of } : {}),
      variables: r.variables,
      action: r.action,
      reasons: [...reasons],
      policyVersion: this.policy.version,
    };
    const event = cloudEvent({
      id: decisionId,
      source: DECISION_SOURCE,
      type: decisionEventType(outcome),
      subject: row.customer_id,
      time: now,
      data,
    });
    // A what-if session (a simulation) neither logs nor publishes: nothing to serialize or count.
    if (!session.publishes) return outbound(Topics.decisions, event);
    // Serialized once: logged as it is published.
    const json = JSON.stringify(event);
    session.logDecision({
      decisionId,
      requestKey: row.request_key,
      customerId: row.customer_id,
      outcome,
      channel: s.channel,
      policyVersion: this.policy.version,
      decidedAt: now,
      event: json,
      summary: summarize(outcome, r, s.channel, reasons),
    });
    const published = outbound(Topics.decisions, event, json);
    if (outcome === 'approved' && s.at)
      noteContactsInWindows(
        published,
        contactsInWindows(
          session.state(row.customer_id).history,
          this.policy.caps,
          row.category,
          s.at,
        ),
      );
    return published;
  }
}

/**
 * The timeline's line for a decision: what (a reminder says which one, so that an agent does not
 * read "not sent" about a message that did go out), the outcome, and the last reason.
 */
export function summarize(
  outcome: DecisionOutcome,
  r: Pick<StoredRequest, 'intentType'> & { reminder?: { number: number } },
  channel: Channel | undefined,
  reasons: readonly DecisionReason[],
): string {
  const last = reasons[reasons.length - 1]?.text ?? '';
  const what = r.reminder ? `Reminder ${r.reminder.number} of ${r.intentType}` : r.intentType;
  switch (outcome) {
    case 'approved':
      return `${what} approved by ${channel}. ${last}`;
    case 'deferred':
      return `${what} deferred. ${last}`;
    case 'merged':
      return `${what} merged. ${last}`;
    case 'suppressed':
      return `${what} not sent. ${last}`;
  }
}

function toLedgerDecision(h: RequestRow, now: Date): LedgerDecision {
  return {
    decisionId: h.decision_id!,
    requestId: h.request_key,
    intentKey: h.intent_key,
    category: h.category,
    urgency: h.urgency,
    outcome: h.status === 'pending' ? 'deferred' : h.status,
    ...(h.channel ? { channel: h.channel } : {}),
    // The row's own dates: the engine only reads them.
    decidedAt: h.received_at,
    ...(h.at ? { at: h.at } : {}),
    sent: hasGoneOut(h, now),
    engaged: h.engaged,
    ...(h.update_seq !== null ? { update: h.update_seq } : {}),
    ...(h.reminder_of ? { reminderOf: h.reminder_of } : {}),
    ...(h.allowed_channels ? { allowedChannels: h.allowed_channels } : {}),
  };
}

/**
 * Whether a request's message has gone out: confirmed by the dispatcher, or approved for a time
 * that has passed (the dispatcher sends then; its confirmation may still be on its way).
 */
export function hasGoneOut(h: RequestRow, now: Date): boolean {
  return (
    h.sent ||
    (h.status === 'approved' && h.at !== null && new Date(h.at).getTime() <= now.getTime())
  );
}

export function toEngineRequest(r: StoredRequest): ContactRequest {
  return {
    requestId: r.requestKey,
    source: r.source,
    intentType: r.intentType,
    intentKey: r.intentKey,
    category: r.category,
    urgency: r.urgency,
    ...(r.transactional ? { transactional: true } : {}),
    defaultChannels: r.defaultChannels,
    ...(r.allowedChannels ? { allowedChannels: r.allowedChannels } : {}),
    ...(r.replyTo ? { replyTo: { channel: r.replyTo.channel as Touchpoint } } : {}),
    receivedAt: new Date(r.receivedAt),
    ...(r.notBefore ? { notBefore: new Date(r.notBefore) } : {}),
    expiresAt: new Date(r.expiresAt),
    ...(r.update !== undefined ? { update: r.update } : {}),
    ...(r.reminder ? { reminder: r.reminder } : {}),
  };
}

/**
 * What the decision event says of its fallback channels: each with its quiet hours, in the
 * customer's time zone, after any do-not-disturb, until the message expires (none: undefined).
 */
function fallbackData(
  channels: Extract<Decision, { outcome: 'approved' }>['fallback'],
  profile: CustomerProfile,
  expiresAt: Date,
  policy: Policy,
): DecisionData['fallback'] {
  if (channels.length === 0) return undefined;
  return {
    timeZone: profile.timeZone,
    ...(profile.doNotDisturbUntil ? { notBefore: profile.doNotDisturbUntil.toISOString() } : {}),
    until: expiresAt.toISOString(),
    channels: channels.map((f) => {
      // The customer's zone unknown: every market's quiet hours are kept (as decided).
      const alsoIn = profile.zoneUnknown
        ? policy.timeZones.markets.filter((z) => z !== profile.timeZone)
        : [];
      return {
        channel: f.channel,
        quietHours: f.quietHours.map(clockTimes),
        ...(alsoIn.length > 0 ? { alsoIn } : {}),
      };
    }),
  };
}

/** What of a profile says no, as the gate reads it. */
export function refusalsOf(p: ProfileData) {
  return {
    optOuts: p.optOuts,
    consents: p.consents,
    ...(p.doNotDisturbUntil ? { doNotDisturbUntil: new Date(p.doNotDisturbUntil) } : {}),
  };
}

/**
 * The profile the engine needs; without one, nothing known. A customer whose zone is not known
 * is shown times in the default market zone, and keeps every market's quiet hours (see
 * `zonesFor`). Built field by field: it is made for every decision.
 */
export function toEngineProfile(
  p: ProfileData | undefined,
  category: string,
  zones: Policy['timeZones'],
): CustomerProfile {
  if (!p) return { timeZone: zones.default, zoneUnknown: true, optOuts: [], consents: [] };
  const inferred: { channel: Channel; confidence: number }[] = [];
  for (const i of p.inferred)
    if (i.category === category) inferred.push({ channel: i.channel, confidence: i.confidence });
  for (const i of p.inferred)
    if (i.category === undefined) inferred.push({ channel: i.channel, confidence: i.confidence });
  const profile: CustomerProfile = {
    timeZone: p.timeZone ?? zones.default,
    categoryChannels: p.categoryChannels,
    optOuts: p.optOuts,
    consents: p.consents,
    frequency: p.frequency,
    inferred,
  };
  if (!p.timeZone) profile.zoneUnknown = true;
  if (p.quietHours) profile.quietHours = p.quietHours;
  if (p.doNotDisturbUntil) profile.doNotDisturbUntil = new Date(p.doNotDisturbUntil);
  if (p.preferredChannel) profile.preferredChannel = p.preferredChannel;
  return profile;
}
