import { Injectable } from '@nestjs/common';
import type { Channel, DecisionData } from '@onevoice/contracts';
import type { Outbound } from '@onevoice/messaging';
import { affectedRows, OUTBOX_INSERT, returnedRows } from '@onevoice/persistence';
import type { OptOut } from '@onevoice/policy';
import type { EntityManager } from 'typeorm';
import type { DeliveryContent } from './delivery-composer';

export interface NewDelivery {
  deliveryId: string;
  decisionId: string;
  requestId: string;
  intentType: string;
  intentKey: string;
  customerId: string;
  channel: Channel;
  provider: string;
  subject: string;
  body: string;
  sendAfter: Date;
  sendBefore?: Date;
  listUnsubscribe?: string;
  /** The W3C trace the decision came in; the provider call continues it. */
  traceparent?: string;
  /** For an email: the image that records its opening. */
  trackingPixel?: string;
  /** Where it may go if this channel definitively fails, and what it says, to say it there. */
  fallback?: DecisionData['fallback'];
  content?: DeliveryContent;
  /** Recorded already claimed (`sending`, first attempt) by this sender, to be sent at once. */
  claimedAt?: Date;
  /** 0 critical … 3 low: more urgent deliveries go out first. */
  priority: number;
}

export interface DeliveryRow {
  delivery_id: string;
  decision_id: string;
  request_id: string;
  intent_type: string;
  intent_key: string;
  customer_id: string;
  channel: Channel;
  provider: string;
  subject: string;
  body: string;
  send_before: Date | null;
  attempts: number;
  list_unsubscribe: string | null;
  traceparent: string | null;
  tracking_pixel: string | null;
  fallback: DecisionData['fallback'] | null;
  content: DeliveryContent | null;
  priority: number;
  /** An earlier call may have reached the provider (its outcome unknown): it never falls back. */
  maybe_taken: boolean;
}

/** A delivery as its row, for the events about it before it is read back from the table. */
export function rowOf(d: NewDelivery): DeliveryRow {
  return {
    delivery_id: d.deliveryId,
    decision_id: d.decisionId,
    request_id: d.requestId,
    intent_type: d.intentType,
    intent_key: d.intentKey,
    customer_id: d.customerId,
    channel: d.channel,
    provider: d.provider,
    subject: d.subject,
    body: d.body,
    send_before: d.sendBefore ?? null,
    attempts: 0,
    list_unsubscribe: d.listUnsubscribe ?? null,
    traceparent: d.traceparent ?? null,
    tracking_pixel: d.trackingPixel ?? null,
    fallback: d.fallback ?? null,
    content: d.content ?? null,
    priority: d.priority,
    maybe_taken: false,
  };
}

/** The dispatcher's deliveries; the only place that reads or writes them. */
@Injectable()
export class DeliveriesRepository {
  /**
   * Records deliveries before any provider is called, in one statement; a decision that already
   * has a delivery keeps it. Those with `claimedAt` are recorded claimed (`sending`, attempt 1),
   * stamped with the database's time, as every claim is (see `claimDue`).
   * Returns the ones recorded now, with their state: the caller may send the claimed ones once
   * this commits.
   */
  async recordMany(
    tx: EntityManager,
    deliveries: readonly NewDelivery[],
  ): Promise<Map<string, 'scheduled' | 'sending'>> {
    if (deliveries.length === 0) return new Map();
    const rows = (await tx.query(
      `INSERT INTO deliveries (delivery_id, decision_id, request_id, intent_type, intent_key, customer_id, channel,
                               provider, state, subject, body, send_after, send_before, list_unsubscribe, traceparent, tracking_pixel,
                               fallback, content, attempts, claimed_at, priority)
       SELECT x."deliveryId", x."decisionId", x."requestId", x."intentType", x."intentKey", x."customerId", x.channel,
              x.provider, CASE WHEN x."claimedAt" IS NULL THEN 'scheduled' ELSE 'sending' END, x.subject, x.body,
              x."sendAfter", x."sendBefore", x."listUnsubscribe", x.traceparent, x."trackingPixel",
              x.fallback, x.content, CASE WHEN x."claimedAt" IS NULL THEN 0 ELSE 1 END,
              CASE WHEN x."claimedAt" IS NULL THEN NULL ELSE now() END, x.priority
         FROM json_to_recordset($1::json) AS x("deliveryId" text, "decisionId" text, "requestId" text,
              "intentType" text, "intentKey" text, "customerId" text, channel text, provider text, subject text,
              body text, "sendAfter" timestamptz, "sendBefore" timestamptz, "listUnsubscribe" text, traceparent text, "trackingPixel" text,
              fallback jsonb, content jsonb, "claimedAt" timestamptz, priority smallint)
       ON CONFLICT DO NOTHING
       RETURNING delivery_id, state`,
      [JSON.stringify(deliveries)],
    )) as { delivery_id: string; state: 'scheduled' | 'sending' }[];
    return new Map(rows.map((r) => [r.delivery_id, r.state]));
  }

  /** Which of these deliveries still wait for their window. */
  async stillScheduled(tx: EntityManager, deliveryIds: readonly string[]): Promise<Set<string>> {
    const rows = (await tx.query(
      `SELECT delivery_id FROM deliveries WHERE delivery_id = ANY($1::text[]) AND state = 'scheduled'`,
      [deliveryIds],
    )) as { delivery_id: string }[];
    return new Set(rows.map((r) => r.delivery_id));
  }

  /** Puts claimed deliveries that were never sent back in the schedule (a clean shutdown). */
  async release(tx: EntityManager, deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await tx.query(
      `UPDATE deliveries SET state = 'scheduled', attempts = attempts - 1, claimed_at = NULL
        WHERE delivery_id = ANY($1::text[]) AND state = 'sending'`,
      [deliveryIds],
    );
  }

  /**
   * Claims deliveries whose time has come, most urgent first, then oldest: `sending`, one more
   * attempt each. The caller commits this before it calls the provider, so a crash during the
   * call leaves a trace (see `stale`). A claim is stamped with the database's time, not this
   * host's: every instance measures leases on the one clock, however far theirs drift.
   */
  async claimDue(tx: EntityManager, now: Date, limit: number): Promise<DeliveryRow[]> {
    const rows = await tx.query(
      `UPDATE deliveries SET state = 'sending', attempts = attempts + 1, claimed_at = now()
        WHERE delivery_id IN (
          SELECT delivery_id FROM deliveries
           WHERE state = 'scheduled' AND send_after <= $1 AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
           ORDER BY priority, coalesce(next_attempt_at, send_after) LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now, limit],
    );
    return returnedRows<DeliveryRow>(rows);
  }

  /**
   * A claim that outlived its lease (`leaseMs`, on the database's clock): its sender died or
   * stalled during the provider call.
   */
  async stale(tx: EntityManager, leaseMs: number): Promise<DeliveryRow | undefined> {
    const rows = (await tx.query(
      `SELECT * FROM deliveries WHERE state = 'sending' AND claimed_at < now() - $1 * interval '1 millisecond'
        ORDER BY claimed_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [leaseMs],
    )) as DeliveryRow[];
    return rows[0];
  }

  /**
   * Which of these claims this sender still holds early enough to start a call: still `sending`
   * under the same attempt (not recovered, nor claimed again by another instance), claimed less
   * than `withinMs` ago on the database's clock. Asked before each slice of a claim is sent.
   */
  async stillHeld(
    db: EntityManager,
    claims: readonly { deliveryId: string; attempt: number }[],
    withinMs: number,
  ): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const rows = (await db.query(
      `SELECT d.delivery_id FROM deliveries d
         JOIN unnest($1::text[], $2::int[]) AS x(id, attempt) ON d.delivery_id = x.id
        WHERE d.state = 'sending' AND d.attempts = x.attempt
          AND d.claimed_at >= clock_timestamp() - $3 * interval '1 millisecond'`,
      [claims.map((c) => c.deliveryId), claims.map((c) => c.attempt), withinMs],
    )) as { delivery_id: string }[];
    return new Set(rows.map((r) => r.delivery_id));
  }

  /**
   * Puts claims this sender still holds (`sending`, under the same attempt) back in the schedule,
   * the attempt not counted: their calls were never started. Returns how many it put back; a
   * claim another instance took over meanwhile is not touched.
   */
  async releaseClaims(
    db: EntityManager,
    claims: readonly { deliveryId: string; attempt: number }[],
  ): Promise<number> {
    if (claims.length === 0) return 0;
    return affectedRows(
      await db.query(
        `UPDATE deliveries d SET state = 'scheduled', attempts = d.attempts - 1, claimed_at = NULL
           FROM unnest($1::text[], $2::int[]) AS x(id, attempt)
          WHERE d.delivery_id = x.id AND d.state = 'sending' AND d.attempts = x.attempt
          RETURNING d.delivery_id`,
        [claims.map((c) => c.deliveryId), claims.map((c) => c.attempt)],
      ),
    );
  }

  /**
   * Takes an uncertain delivery due for another look at the provider's records, and puts its next
   * look at `holdUntil`: the caller asks the provider outside any transaction, and no other
   * instance asks meanwhile (should the caller die, the look is simply made again then).
   */
  async takeDueUncertain(
    db: EntityManager,
    now: Date,
    holdUntil: Date,
  ): Promise<DeliveryRow | undefined> {
    const rows = await db.query(
      `UPDATE deliveries SET next_attempt_at = $2
        WHERE delivery_id = (
          SELECT delivery_id FROM deliveries WHERE state = 'uncertain' AND next_attempt_at <= $1
           ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now, holdUntil],
    );
    return returnedRows<DeliveryRow>(rows)[0];
  }

  /**
   * Recorded sent, as the provider's records show — while the sender still holds it (`sending`,
   * or `uncertain` being reconciled). Returns whether it was.
   */
  async markSent(
    tx: EntityManager,
    deliveryId: string,
    providerMessageId: string,
    at: Date,
  ): Promise<boolean> {
    return this.whileHeld(
      tx,
      deliveryId,
      `state = 'sent', provider_message_id = $2, sent_at = $3, claimed_at = NULL`,
      [providerMessageId, at],
    );
  }

  /** A delivery, locked until the transaction ends (none: no delivery has this id). */
  async lockOne(
    tx: EntityManager,
    deliveryId: string,
  ): Promise<(DeliveryRow & { state: string }) | undefined> {
    const rows = (await tx.query(`SELECT * FROM deliveries WHERE delivery_id = $1 FOR UPDATE`, [
      deliveryId,
    ])) as (DeliveryRow & { state: string })[];
    return rows[0];
  }

  /**
   * Records a provider's report on a delivery the caller has locked (see `lockOne`). A message it
   * took is sent, whatever the sender recorded meanwhile (an uncertain one is settled by this too).
   */
  async setProviderStatus(
    tx: EntityManager,
    deliveryId: string,
    status: 'delivered' | 'failed' | 'bounced',
  ): Promise<void> {
    await tx.query(`UPDATE deliveries SET state = $2, claimed_at = NULL WHERE delivery_id = $1`, [
      deliveryId,
      status,
    ]);
  }

  /**
   * Records many sends at once (a provider's report that came first is kept) and, in the same
   * statement, writes `events` to the outbox; returns their outbox ids.
   */
  async markSentMany(
    tx: EntityManager,
    sent: readonly { deliveryId: string; providerMessageId: string }[],
    events: readonly Outbound[],
    at: Date,
  ): Promise<string[]> {
    if (sent.length === 0 && events.length === 0) return [];
    const rows = (await tx.query(
      // Rows are found by primary key alone and the state tested per row: with "AND state =
      // 'sending'" in the WHERE, the planner (its statistics behind a burst) scanned every claimed
      // delivery through the in-flight index — thousands per batch — to find a batch's 250.
      `WITH sent AS (
         UPDATE deliveries d
            SET state = CASE WHEN d.state = 'sending' THEN 'sent' ELSE d.state END,
                provider_message_id = CASE WHEN d.state = 'sending' THEN x.pid ELSE d.provider_message_id END,
                sent_at = CASE WHEN d.state = 'sending' THEN $3::timestamptz ELSE d.sent_at END,
                claimed_at = CASE WHEN d.state = 'sending' THEN NULL ELSE d.claimed_at END
           FROM json_to_recordset($1::json) AS x(id text, pid text)
          WHERE d.delivery_id = x.id)
       ${OUTBOX_INSERT('$2')}`,
      [
        JSON.stringify(sent.map((x) => ({ id: x.deliveryId, pid: x.providerMessageId }))),
        JSON.stringify(events),
        at,
      ],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Back in the schedule until `at`, unsent: the claim that found it held takes no attempt. */
  async holdUntil(tx: EntityManager, deliveryId: string, at: Date, why: string): Promise<void> {
    await tx.query(
      `UPDATE deliveries SET state = 'scheduled', next_attempt_at = $2, last_error = $3, claimed_at = NULL,
              attempts = greatest(attempts - 1, 0)
        WHERE delivery_id = $1`,
      [deliveryId, at, why],
    );
  }

  /**
   * Back in the schedule, to be tried again at `at` — only while the sender still holds it
   * (`sending`, or `uncertain` being reconciled): a provider's report that came in meanwhile
   * (`delivered`) is never turned back into a send. `maybeTaken` records whether the provider
   * may now hold it (a resend after an ambiguous call) or certainly does not (it said so);
   * unset, it stays as it was. Returns whether it was put back.
   */
  async retryAt(
    tx: EntityManager,
    deliveryId: string,
    at: Date,
    error: string,
    maybeTaken?: boolean,
  ): Promise<boolean> {
    return this.whileHeld(
      tx,
      deliveryId,
      `state = 'scheduled', next_attempt_at = $2, last_error = $3, claimed_at = NULL,
       maybe_taken = coalesce($4, maybe_taken)`,
      [at, error, maybeTaken ?? null],
    );
  }

  /** A delivery's state now (none: not found). */
  async stateOf(tx: EntityManager, deliveryId: string): Promise<string | undefined> {
    const rows = (await tx.query('SELECT state FROM deliveries WHERE delivery_id = $1', [
      deliveryId,
    ])) as { state: string }[];
    return rows[0]?.state;
  }

  /** Left to reconcile with the provider at `checkAt`, while the sender holds it (as above). */
  async markUncertain(
    tx: EntityManager,
    deliveryId: string,
    checkAt: Date,
    error: string,
  ): Promise<boolean> {
    return this.whileHeld(
      tx,
      deliveryId,
      `state = 'uncertain', next_attempt_at = $2, last_error = $3, maybe_taken = true`,
      [checkAt, error],
    );
  }

  /** Failed for good, while the sender holds it (as above). */
  async markFailed(tx: EntityManager, deliveryId: string, error: string): Promise<boolean> {
    return this.whileHeld(tx, deliveryId, `state = 'failed', last_error = $2, claimed_at = NULL`, [
      error,
    ]);
  }

  /**
   * Sets `set` (its parameters from $2) on a delivery only while the sender holds it — `sending`,
   * or `uncertain` being reconciled: a provider's report that came in meanwhile stands. Returns
   * whether it did.
   */
  private async whileHeld(
    tx: EntityManager,
    deliveryId: string,
    set: string,
    params: readonly unknown[],
  ): Promise<boolean> {
    const updated: unknown = await tx.query(
      `UPDATE deliveries SET ${set}
        WHERE delivery_id = $1 AND state IN ('sending', 'uncertain') RETURNING delivery_id`,
      [deliveryId, ...params],
    );
    return affectedRows(updated) > 0;
  }

  /** Not sent after all: the customer refused it since (`why`). */
  async markRefused(tx: EntityManager, deliveryId: string, why: string): Promise<void> {
    await tx.query(
      `UPDATE deliveries SET state = 'cancelled', last_error = $2, claimed_at = NULL WHERE delivery_id = $1`,
      [deliveryId, why],
    );
  }

  /** What these customers refused, as the latest profile this dispatcher read says. */
  async refusalsOf(
    db: EntityManager,
    customerIds: readonly string[],
  ): Promise<Map<string, { optOuts: OptOut[]; doNotDisturbUntil?: Date }>> {
    const rows = (await db.query(
      `SELECT customer_id, opt_outs, dnd_until FROM refusals WHERE customer_id = ANY($1::text[])`,
      [customerIds],
    )) as { customer_id: string; opt_outs: OptOut[]; dnd_until: Date | null }[];
    return new Map(
      rows.map((r) => [
        r.customer_id,
        {
          optOuts: r.opt_outs,
          ...(r.dnd_until ? { doNotDisturbUntil: new Date(r.dnd_until) } : {}),
        },
      ]),
    );
  }

  /**
   * Keeps what customers refused from their profiles (opt-outs, do-not-disturb), in one statement:
   * each customer's newest of those given, unless a newer profile's is kept already.
   */
  async keepOptOuts(
    db: EntityManager,
    profiles: readonly {
      customerId: string;
      version: number;
      optOuts: readonly OptOut[];
      doNotDisturbUntil?: string;
    }[],
  ): Promise<void> {
    const newest = new Map<string, (typeof profiles)[number]>();
    for (const p of profiles)
      if ((newest.get(p.customerId)?.version ?? -Infinity) <= p.version)
        newest.set(p.customerId, p);
    if (newest.size === 0) return;
    await db.query(
      `INSERT INTO refusals (customer_id, version, opt_outs, dnd_until)
       SELECT e->>'customerId', (e->>'version')::int, e->'optOuts', (e->>'doNotDisturbUntil')::timestamptz
         FROM jsonb_array_elements($1::jsonb) AS e
       ON CONFLICT (customer_id) DO UPDATE
          SET version = EXCLUDED.version, opt_outs = EXCLUDED.opt_outs, dnd_until = EXCLUDED.dnd_until
        WHERE refusals.version < EXCLUDED.version`,
      [JSON.stringify([...newest.values()])],
    );
  }

  /** Customers' answers to STOP or START waiting for the change to be recorded. */
  async waitingKeywordAnswers(
    db: EntityManager,
    customerIds: readonly string[],
    now: Date,
  ): Promise<{ delivery_id: string; customer_id: string; intent_type: string }[]> {
    return (await db.query(
      `SELECT delivery_id, customer_id, intent_type FROM deliveries
        WHERE customer_id = ANY($1::text[]) AND state = 'scheduled' AND send_after > $2
          AND intent_type IN ('sms.stop_reply', 'sms.start_reply')`,
      [customerIds, now],
    )) as { delivery_id: string; customer_id: string; intent_type: string }[];
  }

  /** Lets these waiting deliveries go now (if they still wait). */
  async sendNow(db: EntityManager, deliveryIds: readonly string[], now: Date): Promise<void> {
    await db.query(
      `UPDATE deliveries SET send_after = $2
        WHERE delivery_id = ANY($1::text[]) AND state = 'scheduled' AND send_after > $2`,
      [deliveryIds, now],
    );
  }

  async markExpired(tx: EntityManager, deliveryId: string): Promise<void> {
    await tx.query(
      `UPDATE deliveries SET state = 'expired', claimed_at = NULL WHERE delivery_id = $1`,
      [deliveryId],
    );
  }

  /**
   * Calls off what a decision scheduled, now that a later one replaces it; returns its deliveries
   * called off — now, or by an earlier pass over the same replacement (to announce again, under
   * the same event id, what a crash may have left unannounced).
   */
  async cancelForDecision(tx: EntityManager, decisionId: string): Promise<DeliveryRow[]> {
    await tx.query(
      `UPDATE deliveries SET state = 'cancelled' WHERE decision_id = $1 AND state = 'scheduled'`,
      [decisionId],
    );
    return (await tx.query(
      `SELECT * FROM deliveries WHERE decision_id = $1 AND state = 'cancelled'`,
      [decisionId],
    )) as DeliveryRow[];
  }
}
