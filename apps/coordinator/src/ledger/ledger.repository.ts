import { Injectable } from '@nestjs/common';
import type { Channel, ProfileData } from '@onevoice/contracts';
import type { EntityManager } from 'typeorm';
import type { RequestRow, StoredRequest } from './ledger.types';

/** How far back a customer's history matters to a decision (the longest cap window and more). */
const HISTORY_DAYS = 90;

/** The coordinator's ledger; the only place that reads or writes its tables. */
@Injectable()
export class LedgerRepository {
  /** Serializes all work on one customer, whichever instance or path (Kafka, timer) does it. */
  async lockCustomer(tx: EntityManager, customerId: string): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`coordinator:${customerId}`]);
  }

  async insertRequest(
    tx: EntityManager,
    r: StoredRequest,
    status: 'pending' | 'deferred',
    at?: Date,
  ): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO requests (request_key, customer_id, source, request_id, intent_type, intent_key, category, urgency,
                             request, status, at, update_seq, reminder_of, received_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (request_key) DO NOTHING RETURNING request_key`,
      [
        r.requestKey,
        r.customerId,
        r.source,
        r.requestId,
        r.intentType,
        r.intentKey,
        r.category,
        r.urgency,
        JSON.stringify(r),
        status,
        at ?? null,
        r.update ?? null,
        r.reminder?.of ?? null,
        r.receivedAt,
        r.expiresAt,
      ],
    )) as unknown[];
    return rows.length === 1;
  }

  /**
   * Everything a decision about one customer needs, in one round trip: their recent requests,
   * open cases, fulfilled intents, last inbound contact and profile.
   */
  async customerState(
    tx: EntityManager,
    customerId: string,
    now: Date,
  ): Promise<{
    history: RequestRow[];
    cases: { caseId: string; kind: string }[];
    fulfilled: { intentKey: string; at: string }[];
    inbound?: { channel: string; at: string };
    profile?: ProfileData;
  }> {
    const [row] = (await tx.query(
      `SELECT
         (SELECT coalesce(json_agg(r ORDER BY r.received_at, r.request_key), '[]') FROM requests r
           WHERE r.customer_id = $1 AND (r.received_at > $2 OR r.status IN ('pending', 'deferred', 'approved'))) AS history,
         (SELECT coalesce(json_agg(json_build_object('caseId', case_id, 'kind', kind)), '[]') FROM cases WHERE customer_id = $1) AS cases,
         (SELECT coalesce(json_agg(json_build_object('intentKey', intent_key, 'at', at)), '[]') FROM fulfilments WHERE customer_id = $1) AS fulfilled,
         (SELECT json_build_object('channel', channel, 'at', at) FROM last_inbound WHERE customer_id = $1) AS inbound,
         (SELECT profile FROM profiles WHERE customer_id = $1) AS profile`,
      [customerId, new Date(now.getTime() - HISTORY_DAYS * 86_400_000)],
    )) as {
      history: RequestRow[];
      cases: { caseId: string; kind: string }[];
      fulfilled: { intentKey: string; at: string }[];
      inbound: { channel: string; at: string } | null;
      profile: ProfileData | null;
    }[];
    return {
      // json_agg gives timestamps as text; the rest of the code reads them as dates.
      history: row!.history.map((h) => ({
        ...h,
        at: h.at ? new Date(h.at) : null,
        send_before: h.send_before ? new Date(h.send_before) : null,
        received_at: new Date(h.received_at),
      })),
      cases: row!.cases,
      fulfilled: row!.fulfilled,
      ...(row!.inbound ? { inbound: row!.inbound } : {}),
      ...(row!.profile ? { profile: row!.profile } : {}),
    };
  }

  async request(tx: EntityManager, requestKey: string): Promise<RequestRow | undefined> {
    const rows = (await tx.query('SELECT * FROM requests WHERE request_key = $1', [
      requestKey,
    ])) as RequestRow[];
    return rows[0];
  }

  async requestByDecision(tx: EntityManager, decisionId: string): Promise<RequestRow | undefined> {
    const rows = (await tx.query('SELECT * FROM requests WHERE decision_id = $1', [
      decisionId,
    ])) as RequestRow[];
    return rows[0];
  }

  async mergedInto(tx: EntityManager, decisionId: string): Promise<string[]> {
    const rows = (await tx.query(
      `SELECT request_key FROM requests WHERE merged_into = $1 AND status = 'merged' ORDER BY received_at`,
      [decisionId],
    )) as { request_key: string }[];
    return rows.map((r) => r.request_key);
  }

  async updateState(
    tx: EntityManager,
    requestKey: string,
    s: {
      status: RequestRow['status'];
      decisionId: string;
      channel?: Channel | null;
      at?: Date | null;
      sendBefore?: Date | null;
      mergedInto?: string | null;
    },
  ): Promise<void> {
    await tx.query(
      `UPDATE requests SET status = $2, decision_id = $3, decision_count = decision_count + 1,
              channel = $4, at = $5, send_before = $6, merged_into = $7
        WHERE request_key = $1`,
      [
        requestKey,
        s.status,
        s.decisionId,
        s.channel ?? null,
        s.at ?? null,
        s.sendBefore ?? null,
        s.mergedInto ?? null,
      ],
    );
  }

  async markSent(tx: EntityManager, decisionId: string): Promise<RequestRow | undefined> {
    const rows = (await tx.query(
      'UPDATE requests SET sent = true WHERE decision_id = $1 AND NOT sent RETURNING *',
      [decisionId],
    )) as [RequestRow[], number] | RequestRow[];
    const list = Array.isArray(rows[0]) ? (rows[0] as RequestRow[]) : (rows as RequestRow[]);
    return list[0];
  }

  async markEngaged(tx: EntityManager, decisionId: string): Promise<void> {
    await tx.query('UPDATE requests SET engaged = true WHERE decision_id = $1', [decisionId]);
  }

  async logDecision(
    tx: EntityManager,
    d: {
      decisionId: string;
      requestKey: string;
      customerId: string;
      outcome: string;
      channel?: string;
      reasons: unknown;
      policyVersion: string;
      decidedAt: Date;
      event: unknown;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO decision_log (decision_id, request_key, customer_id, outcome, channel, reasons, policy_version, decided_at, event)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (decision_id) DO NOTHING`,
      [
        d.decisionId,
        d.requestKey,
        d.customerId,
        d.outcome,
        d.channel ?? null,
        JSON.stringify(d.reasons),
        d.policyVersion,
        d.decidedAt,
        JSON.stringify(d.event),
      ],
    );
  }

  async openCase(
    tx: EntityManager,
    customerId: string,
    caseId: string,
    kind: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO cases (customer_id, case_id, kind, opened_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [customerId, caseId, kind, at],
    );
  }

  async closeCase(tx: EntityManager, customerId: string, caseId: string): Promise<void> {
    await tx.query('DELETE FROM cases WHERE customer_id = $1 AND case_id = $2', [
      customerId,
      caseId,
    ]);
  }

  async fulfil(tx: EntityManager, customerId: string, intentKey: string, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO fulfilments (customer_id, intent_key, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [customerId, intentKey, at],
    );
  }

  /** Requests about `intentKey` that have not gone out yet. */
  async unsentFor(tx: EntityManager, customerId: string, intentKey: string): Promise<RequestRow[]> {
    return (await tx.query(
      `SELECT * FROM requests WHERE customer_id = $1 AND intent_key = $2
          AND (status IN ('pending', 'deferred') OR (status = 'approved' AND NOT sent))`,
      [customerId, intentKey],
    )) as RequestRow[];
  }

  async recordInbound(
    tx: EntityManager,
    customerId: string,
    channel: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO last_inbound (customer_id, channel, at) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) DO UPDATE SET channel = EXCLUDED.channel, at = EXCLUDED.at WHERE last_inbound.at <= EXCLUDED.at`,
      [customerId, channel, at],
    );
  }

  /** Keeps the newest profile: an older version arriving late never replaces a newer one. */
  async saveProfile(tx: EntityManager, profile: ProfileData, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO profiles (customer_id, version, profile, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id) DO UPDATE SET version = EXCLUDED.version, profile = EXCLUDED.profile, updated_at = EXCLUDED.updated_at
       WHERE profiles.version <= EXCLUDED.version`,
      [profile.customerId, profile.version, JSON.stringify(profile), at],
    );
  }

  /** Held requests whose time has come, claimed so that no other instance takes them too. */
  async dueRequests(
    tx: EntityManager,
    now: Date,
    limit: number,
  ): Promise<{ request_key: string; customer_id: string }[]> {
    return (await tx.query(
      `SELECT request_key, customer_id FROM requests WHERE status = 'deferred' AND at <= $1
        ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    )) as { request_key: string; customer_id: string }[];
  }

  async addTimeline(
    tx: EntityManager,
    customerId: string,
    at: Date | string,
    kind: string,
    summary: string,
    detail: unknown,
  ): Promise<void> {
    await tx.query(
      'INSERT INTO timeline (customer_id, at, kind, summary, detail) VALUES ($1, $2, $3, $4, $5)',
      [customerId, at, kind, summary, JSON.stringify(detail)],
    );
  }

  async timeline(tx: EntityManager, customerId: string, limit: number) {
    return (await tx.query(
      `SELECT at, kind, summary, detail FROM timeline WHERE customer_id = $1 ORDER BY at, id LIMIT $2`,
      [customerId, limit],
    )) as { at: Date; kind: string; summary: string; detail: Record<string, unknown> }[];
  }
}
