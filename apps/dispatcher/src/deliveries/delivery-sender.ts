import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  cloudEvent,
  deliveryEventType,
  SMS_INBOUND_SOURCE,
  Topics,
  type Category,
  type DeliveryData,
  type DeliveryState,
} from '@onevoice/contracts';
import {
  EventPublisher,
  extractTraceContext,
  injectTraceContext,
  outbound,
  type Outbound,
} from '@onevoice/messaging';
import { SpanKind, SpanStatusCode, trace as otelTrace } from '@opentelemetry/api';
import { failpoint, Outbox } from '@onevoice/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import {
  CHANNEL_ADAPTERS,
  ProviderError,
  type ChannelAdapter,
  type ChannelAdapters,
} from '../channels/channel-adapter';
import { CircuitBreaker } from '../channels/circuit-breaker';
import { DeliveriesRepository, rowOf, type DeliveryRow } from './deliveries.repository';
import { confirmedKeyword, DeliveryComposer, isKeywordReply } from './delivery-composer';
import { SENDING_POLICY, type SendingPolicy } from './deliveries.tokens';
import { Clock } from '@onevoice/clock';
import {
  afterFailure,
  nextFallback,
  heldUntil,
  keywordRecorded,
  refusalOf,
  retryDelay,
  windowClosed,
  type AfterFailure,
  type FailureKind,
} from '@onevoice/policy';

/** The dispatcher's events; inbound texts too (their keywords are acted on only from it). */
export const DELIVERY_SOURCE = SMS_INBOUND_SOURCE;
/**
 * At most this many recorded-claimed deliveries wait in memory (about 1.5 KB each); beyond it
 * they are scheduled in the table. Measured with `npm run bench:dispatcher`: 2,000 left most of
 * a backlog to the table (claimed and read back again), ~15% more CPU per delivery.
 */
const HAND_OVER_MAX = 10_000;
/** Publishing (and recording) of sent batches the send loops may leave running as they go on. */
const PUBLISHES_IN_FLIGHT = 6;
const tracer = otelTrace.getTracer('dispatcher');

/**
 * Hands recorded deliveries to their providers, exactly once each:
 * 1. claim (`sending`, one more attempt) and commit — before any provider call;
 * 2. call the provider with the delivery's idempotency key (a hash, never contact details);
 * 3. for a batch that went through: publish its "sent" events, then record it sent (the claim
 *    is its outbox meanwhile); any other outcome is recorded with its events through the outbox.
 * Transient failures are retried with backoff, behind a circuit breaker per provider. A timeout
 * after the request went out is ambiguous: a provider that dedupes by key gets it again; any
 * other is asked what it took (`uncertain`), never sent to blindly. A claim that outlives its lease
 * (the sender died mid-call) is asked about in every case: one provider call per delivery.
 */
@Injectable()
export class DeliverySender {
  private readonly logger = new Logger(DeliverySender.name);
  private readonly outbox: Outbox;
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** Background publishing and recording of sent batches, under way. */
  private readonly publishing = new Set<Promise<void>>();
  /** Recorded claimed by the consumer, committed, waiting for a send loop: one queue per priority. */
  private readonly handedOver: { row: DeliveryRow; claimedAt: number }[][] = [[], [], [], []];

  constructor(
    private readonly clock: Clock,
    @Inject(CHANNEL_ADAPTERS) private readonly adapters: ChannelAdapters,
    @Inject(SENDING_POLICY) private readonly policy: SendingPolicy,
    private readonly deliveries: DeliveriesRepository,
    private readonly composer: DeliveryComposer,
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
  ) {
    this.outbox = new Outbox(dataSource, publisher);
  }

  /**
   * How many deliveries due now may be recorded claimed and handed straight to this sender: up to
   * HAND_OVER_MAX waiting, and none while the senders fall behind (one has waited a quarter of its
   * lease — slow providers); the rest are scheduled and claimed from the table.
   */
  handOverRoom(now: Date): number {
    let waiting = 0;
    let oldest = Infinity;
    for (const queue of this.handedOver) {
      waiting += queue.length;
      if (queue[0] && queue[0].claimedAt < oldest) oldest = queue[0].claimedAt;
    }
    return now.getTime() - oldest < this.policy.leaseMs / 4
      ? Math.max(0, HAND_OVER_MAX - waiting)
      : 0;
  }

  /** Whether a provider takes messages now (its circuit is closed). */
  providerOpen(provider: string, now: Date): boolean {
    return this.breaker(provider).blockedUntil(now.getTime()) === undefined;
  }

  /** Deliveries the consumer recorded claimed (committed): sent by the next pass, no table trip. */
  handOver(rows: readonly DeliveryRow[], claimedAt: Date): void {
    for (const row of rows)
      this.handedOver[Math.min(Math.max(row.priority, 0), 3)]!.push({
        row,
        claimedAt: claimedAt.getTime(),
      });
  }

  /** On a clean shutdown: claimed deliveries not yet sent go back in the schedule. */
  async releaseHandedOver(): Promise<void> {
    const ids = this.handedOver.flatMap((queue) => queue.splice(0)).map((h) => h.row.delivery_id);
    if (ids.length > 0) await this.dataSource.transaction((tx) => this.deliveries.release(tx, ids));
  }

  /**
   * Sends the deliveries now due, up to `limit`: those handed over by the consumer first, else
   * claimed together from the table in one transaction; providers called side by side (at most
   * `parallel` at once), outcomes recorded together in another transaction. Returns how many
   * were claimed (0: nothing is due).
   */
  async sendDue(now: Date, limit = 100, parallel = 16): Promise<number> {
    const handed = this.takeHandedOver(limit);
    const claimed =
      handed.length > 0 ? { count: handed.length, ready: handed } : await this.claimDue(now, limit);
    // Some had expired: their "failed" events are waiting in the outbox.
    if (claimed.ready.length < claimed.count) await this.flush();
    return this.sendClaimed(claimed, parallel);
  }

  /**
   * Handed-over deliveries, most urgent first. Whether each may still be sent (early enough in its
   * lease) is asked of the database just before its slice goes (see `stillHeld`).
   */
  private takeHandedOver(limit: number): DeliveryRow[] {
    const taken: DeliveryRow[] = [];
    for (const queue of this.handedOver)
      if (taken.length < limit)
        taken.push(...queue.splice(0, limit - taken.length).map((h) => h.row));
    return taken;
  }

  private async claimDue(now: Date, limit: number) {
    return this.dataSource.transaction(async (tx) => {
      const rows = await this.deliveries.claimDue(tx, now, limit);
      const ready: DeliveryRow[] = [];
      for (const row of rows) {
        if (windowClosed(row.send_before, now.getTime())) {
          await this.deliveries.markExpired(tx, row.delivery_id);
          await this.outbox.enqueue(tx, [
            this.event(row, 'failed', now, 'send window closed before it could go out'),
          ]);
          continue;
        }
        const blocked = this.breaker(row.provider).blockedUntil(now.getTime());
        if (blocked !== undefined) {
          await this.deliveries.retryAt(tx, row.delivery_id, new Date(blocked), 'circuit open');
          continue;
        }
        ready.push(row);
      }
      return { count: rows.length, ready };
    });
  }

  private async sendClaimed(
    claimed: { count: number; ready: DeliveryRow[] },
    parallel: number,
  ): Promise<number> {
    claimed = { ...claimed, ready: await this.withoutRefused(claimed.ready) };
    // Crash tests stop here: recorded and claimed, no provider called yet.
    for (let i = 0; i < claimed.ready.length; i++) failpoint('dispatcher:claimed');
    const outcomes: [DeliveryRow, Outcome][] = [];
    for (let i = 0; i < claimed.ready.length; i += parallel) {
      const slice = await this.stillHeld(claimed.ready.slice(i, i + parallel));
      outcomes.push(...(await Promise.all(slice.map((row) => this.traced(row)))));
    }
    if (outcomes.length > 0) {
      const done = this.clock.now();
      const sent = outcomes.filter((o): o is [DeliveryRow, Sent] => o[1].ok);
      const events = sent.map(([row, o]) => this.event(row, 'sent', done, undefined, o.trace));
      const marks = sent.map(([row, o]) => ({
        deliveryId: row.delivery_id,
        providerMessageId: o.id,
      }));
      if (sent.length === outcomes.length) {
        // All went through (the usual case): announced, then recorded, while the next batch is
        // sent. No outbox row is needed: until they are recorded sent, the rows stay claimed,
        // and a claim nobody settles is recovered (the provider asked what it took) and announced again.
        await this.inBackground(() => this.announceThenRecord(marks, events, done));
      } else {
        const ids = await this.dataSource.transaction(async (tx) => {
          for (const [row, o] of outcomes)
            if (!o.ok) events.push(...(await this.failed(tx, row, o.error, done, o.trace)));
          return this.deliveries.markSentMany(tx, marks, events, done);
        });
        // Published from memory while the next batch is sent; what fails stays for `flush`.
        await this.inBackground(() => this.outbox.publishEnqueued(ids, events));
      }
    }
    return claimed.count;
  }

  /**
   * The part of a slice this sender may still call the provider for: claims it holds, in the
   * first half of their lease on the database's clock (a call started then ends well before
   * another instance could take the claim over). A claim of hundreds is sent slice after slice;
   * behind a slow provider, or after this process was stopped, the last slices would start late.
   * Those still held are put back in the schedule at once — never sent, so not ambiguous — and
   * those another instance took over are left to it.
   */
  private async stillHeld(slice: DeliveryRow[]): Promise<DeliveryRow[]> {
    const claims = slice.map((row) => ({ deliveryId: row.delivery_id, attempt: row.attempts }));
    const db = this.dataSource.manager;
    const held = await this.deliveries.stillHeld(db, claims, this.policy.leaseMs / 2);
    if (held.size === slice.length) return slice;
    const late = claims.filter((c) => !held.has(c.deliveryId));
    const released = await this.deliveries.releaseClaims(db, late);
    this.logger.warn({
      msg: 'claims too far into their lease to start a call: put back in the schedule, or left to the instance that took them over',
      released,
      takenOver: late.length - released,
    });
    return slice.filter((row) => held.has(row.delivery_id));
  }

  /**
   * Rule 1 at send time: a claimed delivery the customer has refused since it was approved (an
   * opt-out of its channel or category in the latest profile this dispatcher read) is not sent —
   * called off, and announced `cancelled` with why. Returns the others.
   */
  private async withoutRefused(rows: DeliveryRow[]): Promise<DeliveryRow[]> {
    if (rows.length === 0) return rows;
    const refusals = await this.deliveries.refusalsOf(this.dataSource.manager, [
      ...new Set(rows.map((r) => r.customer_id)),
    ]);
    const now = this.clock.now();
    const refused: [DeliveryRow, string][] = [];
    const held: [DeliveryRow, Date][] = [];
    const rest: DeliveryRow[] = [];
    for (const row of rows) {
      const kept = refusals.get(row.customer_id)?.optOuts ?? [];
      // The answer to a STOP or START confirms a change: only once it is recorded (it waits for
      // the profile; at its deadline without it, it is not sent).
      const confirms = confirmedKeyword(row.intent_type);
      if (confirms) {
        if (keywordRecorded(confirms, kept)) rest.push(row);
        else
          refused.push([
            row,
            `not sent: the customer's ${confirms.toUpperCase()} was not recorded in time to confirm it`,
          ]);
        continue;
      }
      const why = refusalOf(kept, {
        channel: row.channel,
        category: row.content?.category as Category | undefined,
        answersKeyword: isKeywordReply(row.intent_type),
      });
      if (why) {
        refused.push([row, `not sent: ${why} after it was approved`]);
        continue;
      }
      // Asked not to be disturbed since it was approved: it waits until then.
      const until = heldUntil(
        refusals.get(row.customer_id)?.doNotDisturbUntil,
        { urgency: row.content?.urgency, answersKeyword: isKeywordReply(row.intent_type) },
        now,
      );
      if (until) held.push([row, until]);
      else rest.push(row);
    }
    if (refused.length > 0 || held.length > 0) {
      await this.dataSource.transaction(async (tx) => {
        for (const [row, detail] of refused) {
          await this.deliveries.markRefused(tx, row.delivery_id, detail);
          await this.outbox.enqueue(tx, [this.event(row, 'cancelled', now, detail)]);
        }
        for (const [row, until] of held) {
          const detail = `held: the customer asked not to be disturbed until ${until.toISOString()}`;
          await this.deliveries.holdUntil(tx, row.delivery_id, until, detail);
          await this.outbox.enqueue(tx, [this.event(row, 'scheduled', now, detail)]);
        }
      });
      this.logger.log({
        msg: 'refused since approved: not sent, or held for do-not-disturb',
        refused: refused.length,
        held: held.length,
      });
      await this.flush();
    }
    return rest;
  }

  /**
   * Settles one delivery whose sender died or stalled mid-call (its claim outlived the lease):
   * left `uncertain`, for `reconcileNext` to ask the provider; false when there is none.
   */
  async recoverNext(now: Date): Promise<boolean> {
    const done = await this.dataSource.transaction(async (tx) => {
      const row = await this.deliveries.stale(tx, this.policy.leaseMs);
      if (!row) return false;
      // The provider is asked what it took — at once: the call, if it was made, is a lease old —
      // rather than sent the message again, even where it dedupes by key: one call per delivery.
      const why = 'the sender stopped during the provider call';
      if (await this.deliveries.markUncertain(tx, row.delivery_id, now, why))
        await this.outbox.enqueue(tx, [this.event(row, 'uncertain', now, why)]);
      return true;
    });
    if (done) await this.flush();
    return done;
  }

  /**
   * Asks the provider about one uncertain delivery; false when none is due. The question is asked
   * outside any transaction (no connection or row lock is held across the HTTP call); the answer
   * is recorded only if nothing settled the delivery meanwhile.
   */
  async reconcileNext(now: Date): Promise<boolean> {
    const row = await this.deliveries.takeDueUncertain(
      this.dataSource.manager,
      now,
      new Date(now.getTime() + this.policy.leaseMs),
    );
    if (!row) return false;
    let answer: Awaited<ReturnType<ChannelAdapter['lookup']>> | Error;
    try {
      answer = await this.adapters.for(row.channel).lookup(row.delivery_id);
    } catch (err) {
      answer = err as Error;
    }
    await this.dataSource.transaction(async (tx) => {
      if (answer instanceof Error) {
        await this.deliveries.markUncertain(
          tx,
          row.delivery_id,
          new Date(now.getTime() + retryDelay(row.attempts, this.policy)),
          `status lookup failed: ${answer.message}`,
        );
      } else if (answer.found) {
        const recorded = await this.deliveries.markSent(
          tx,
          row.delivery_id,
          answer.providerMessageId,
          now,
        );
        // Settled by the provider's own report meanwhile: "delivered" says it went out too.
        if (recorded || (await this.deliveries.stateOf(tx, row.delivery_id)) === 'delivered')
          await this.outbox.enqueue(tx, [this.event(row, 'sent', now)]);
      } else {
        // The provider never took it (asked long enough after the call for it to have recorded
        // one): sending it now is the first time, not a second.
        await this.deliveries.retryAt(tx, row.delivery_id, now, 'not taken by the provider', false);
      }
    });
    await this.flush();
    return true;
  }

  /** One provider call, as a span of the trace the decision came in. */
  private traced(row: DeliveryRow): Promise<[DeliveryRow, Outcome]> {
    const parent = extractTraceContext(row.traceparent ? { traceparent: row.traceparent } : {});
    return tracer.startActiveSpan(
      `deliver ${row.channel}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'onevoice.delivery_id': row.delivery_id,
          'onevoice.provider': row.provider,
          'onevoice.attempt': row.attempts,
        },
      },
      parent,
      async (span) => {
        try {
          const outcome = await this.attempt(row);
          if (!outcome.ok)
            span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
          // The events about this call continue its span's trace.
          const trace = injectTraceContext({}, otelTrace.setSpan(parent, span));
          const result: [DeliveryRow, Outcome] = [row, { ...outcome, trace }];
          return result;
        } finally {
          span.end();
        }
      },
    );
  }

  private async attempt(row: DeliveryRow): Promise<Omit<Sent, 'trace'> | Omit<Failed, 'trace'>> {
    const adapter = this.adapters.for(row.channel);
    try {
      const sent = await adapter.send({
        deliveryId: row.delivery_id,
        customerId: row.customer_id,
        channel: row.channel,
        subject: row.subject,
        body: row.body,
        idempotencyKey: row.delivery_id,
        ...(row.list_unsubscribe ? { listUnsubscribe: row.list_unsubscribe } : {}),
        ...(row.tracking_pixel ? { trackingPixel: row.tracking_pixel } : {}),
      });
      this.breaker(row.provider).succeeded();
      return { ok: true, id: sent.providerMessageId };
    } catch (err) {
      return {
        ok: false,
        error: err instanceof ProviderError ? err : new ProviderError('ambiguous', String(err)),
      };
    }
  }

  /** A provider call that did not go through: retried, failed, or settled as ambiguous. */
  private async failed(
    tx: EntityManager,
    row: DeliveryRow,
    error: ProviderError,
    now: Date,
    trace: Record<string, string>,
  ): Promise<Outbound[]> {
    const { kind, message } = error;
    this.logger.warn({
      msg: 'provider call failed',
      provider: row.provider,
      deliveryId: row.delivery_id,
      attempt: row.attempts,
      kind,
      error: message,
    });
    if (kind === 'transient') this.breaker(row.provider).failed(now.getTime());
    return this.settle(tx, row, kind, now, message, trace);
  }

  /** Carries out the gate's word on a failed call (see `afterFailure`). */
  private async settle(
    tx: EntityManager,
    row: DeliveryRow,
    kind: FailureKind,
    now: Date,
    message: string,
    trace?: Record<string, string>,
  ): Promise<Outbound[]> {
    const next: AfterFailure = afterFailure(
      {
        kind,
        attempts: row.attempts,
        idempotent: this.adapters.for(row.channel).idempotent,
        maybeTaken: row.maybe_taken,
      },
      this.policy,
      now.getTime(),
    );
    // Each step applies only while the sender still holds the delivery: a provider's report that
    // came in during the call stands, and nothing is sent or offered to a fallback again. One
    // that says "delivered" says the call went out: that is announced (`sent`, once: its id is
    // the delivery's), as a send that answered in time would have been.
    const movedOn = async (): Promise<Outbound[]> => {
      const state = await this.deliveries.stateOf(tx, row.delivery_id);
      this.logger.warn({
        msg: 'delivery settled by the provider meanwhile; its failed call is not acted on',
        deliveryId: row.delivery_id,
        state,
        kind,
        error: message,
      });
      return state === 'delivered'
        ? [
            this.event(
              row,
              'sent',
              now,
              'the provider reported it delivered during the call',
              trace,
            ),
          ]
        : [];
    };
    switch (next.then) {
      case 'fail':
        if (!(await this.deliveries.markFailed(tx, row.delivery_id, message)))
          return await movedOn();
        return [
          this.event(row, 'failed', now, message, trace),
          ...(await this.fallBack(tx, row, now, message)),
        ];
      case 'retry':
        if (!(await this.deliveries.retryAt(tx, row.delivery_id, new Date(next.at), message)))
          return await movedOn();
        return [];
      case 'resend':
        if (
          !(await this.deliveries.retryAt(
            tx,
            row.delivery_id,
            now,
            `${message}; the provider dedupes by key`,
            true,
          ))
        )
          return await movedOn();
        return [];
      case 'uncertain':
        // Asked once the provider has had time to record what it took: asked at once, a call
        // still being recorded reads as "not taken" and would be made again.
        if (
          !(await this.deliveries.markUncertain(
            tx,
            row.delivery_id,
            new Date(now.getTime() + this.policy.lookupDelayMs),
            message,
          ))
        )
          return await movedOn();
        return [this.event(row, 'uncertain', now, message, trace)];
    }
  }

  /**
   * After a definitive failure (refused, bounced, retries spent) of a delivery whose decision
   * allows it: the same message on the next allowed channel, in that channel's next window in the
   * customer's time zone, if one opens before the message expires. The customer got nothing on
   * the first channel, so one intent still reaches them on one channel. Returns the event to
   * publish (none: nowhere to fall back to).
   */
  async fallBack(tx: EntityManager, row: DeliveryRow, now: Date, why: string): Promise<Outbound[]> {
    const { fallback, content } = row;
    if (!fallback || !content) return [];
    // Never onto a channel the customer refused since the decision (rule 1): the next one.
    const optOuts =
      (await this.deliveries.refusalsOf(tx, [row.customer_id])).get(row.customer_id)?.optOuts ?? [];
    const next = nextFallback(
      fallback,
      now.getTime(),
      (channel) =>
        refusalOf(optOuts, { channel, category: content.category as Category | undefined }) !==
        undefined,
    );
    if (!next) return [];
    const delivery = this.composer.compose(
      content,
      next.channel,
      { sendAfter: next.sendAfter, sendBefore: next.sendBefore },
      now,
      {
        asFallback: true,
        ...(next.rest ? { fallback: next.rest } : {}),
        ...(row.traceparent ? { traceparent: row.traceparent } : {}),
      },
    );
    await this.deliveries.recordMany(tx, [delivery]);
    this.logger.log({
      msg: 'falling back to the next allowed channel',
      deliveryId: row.delivery_id,
      from: row.channel,
      to: next.channel,
      fallbackDeliveryId: delivery.deliveryId,
      sendAfter: next.sendAfter.toISOString(),
    });
    return [
      this.event(
        rowOf(delivery),
        'scheduled',
        now,
        `falls back from ${row.channel}, which failed: ${why}`,
      ),
    ];
  }

  private breaker(provider: string): CircuitBreaker {
    let b = this.breakers.get(provider);
    if (!b)
      this.breakers.set(
        provider,
        (b = new CircuitBreaker(this.policy.breakerThreshold, this.policy.breakerCoolDownMs)),
      );
    return b;
  }

  /**
   * A batch's "sent" events, published; then its rows recorded sent. Should the broker refuse
   * them, the rows are recorded with their events in the outbox instead, for `flush`.
   */
  private async announceThenRecord(
    marks: { deliveryId: string; providerMessageId: string }[],
    events: Outbound[],
    at: Date,
  ): Promise<void> {
    const announced = await this.publisher.publish(events).then(
      () => true,
      (err: unknown) => {
        this.logger.warn({
          msg: 'publishing delivery events failed; they go to the outbox for the next pass',
          error: String(err),
        });
        return false;
      },
    );
    // Crash tests stop here: announced, not yet recorded sent.
    if (announced) failpoint('dispatcher:announced');
    await this.deliveries.markSentMany(this.dataSource.manager, marks, announced ? [] : events, at);
  }

  /**
   * Runs a batch's publishing and recording without holding up the send loop; at most
   * PUBLISHES_IN_FLIGHT at once (beyond that the loop waits for one to finish). A failure is
   * logged: what was not published stays in the outbox, what was not recorded stays claimed.
   */
  private async inBackground(work: () => Promise<void>): Promise<void> {
    while (this.publishing.size >= PUBLISHES_IN_FLIGHT) await Promise.race(this.publishing);
    const running: Promise<void> = work()
      .catch((err: unknown) =>
        this.logger.warn({
          msg: 'publishing or recording delivery events failed; the next pass settles them',
          error: String(err),
        }),
      )
      .finally(() => this.publishing.delete(running));
    this.publishing.add(running);
  }

  /** Events whose background publish has not finished (a clean shutdown waits for them). */
  async drain(): Promise<void> {
    await Promise.all(this.publishing);
  }

  /**
   * Publishes what the outbox still holds: events from outside the send loop at once, and, with
   * `leftovers`, those a background publish failed to send (older than a few seconds, so as not
   * to race one under way).
   */
  async flush(leftovers = false): Promise<void> {
    await this.outbox.flush(500, leftovers ? 5_000 : 0).catch((err: unknown) =>
      this.logger.warn({
        msg: 'publishing delivery events failed; the next pass retries',
        error: String(err),
      }),
    );
  }

  /** A delivery event; `trace` (W3C headers) places it in a provider call's trace. */
  event(
    row: DeliveryRow,
    state: DeliveryState,
    now: Date,
    detail?: string,
    trace?: Record<string, string>,
  ): Outbound {
    const data: DeliveryData = {
      deliveryId: row.delivery_id,
      decisionId: row.decision_id,
      requestId: row.request_id,
      intentType: row.intent_type,
      intentKey: row.intent_key,
      channel: row.channel,
      state,
      provider: row.provider,
      attempt: row.attempts ?? 0,
      ...(detail ? { detail } : {}),
    };
    const event = cloudEvent({
      // A delivery is sent once, whichever attempt took it: announced again (a claim recovered
      // after its sender died between announcing and recording it), it is the same event.
      id:
        state === 'sent'
          ? `${row.delivery_id}:sent`
          : `${row.delivery_id}:${state}:${row.attempts ?? 0}`,
      source: DELIVERY_SOURCE,
      type: deliveryEventType(state),
      subject: row.customer_id,
      time: now,
      data,
    });
    // With `trace`, the event joins that trace; otherwise the one this code runs in.
    return trace
      ? { topic: Topics.deliveries, key: event.subject, event, headers: trace }
      : outbound(Topics.deliveries, event);
  }
}

type Sent = { ok: true; id: string; trace: Record<string, string> };
type Failed = { ok: false; error: ProviderError; trace: Record<string, string> };
type Outcome = Sent | Failed;
