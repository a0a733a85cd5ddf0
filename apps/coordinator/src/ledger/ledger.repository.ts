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

  async history(tx: EntityManager, customerId: string, now: Date): Promise<RequestRow[]> {
    return (await tx.query(
      `SELECT * FROM requests
        WHERE customer_id = $1 AND (received_at > $2 OR status IN ('pending', 'deferred', 'approved'))
        ORDER BY received_at, request_key`,
      [customerId, new Date(now.getTime() - HISTORY_DAYS * 86_400_000)],
    )) as RequestRow[];
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

  async openCases(
    tx: EntityManager,
    customerId: string,
  ): Promise<{ caseId: string; kind: string }[]> {
    return (await tx.query('SELECT case_id AS "caseId", kind FROM cases WHERE customer_id = $1', [
      customerId,
    ])) as { caseId: string; kind: string }[];
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

  async fulfilments(
    tx: EntityManager,
    customerId: string,
  ): Promise<{ intentKey: string; at: Date }[]> {
    return (await tx.query(
      'SELECT intent_key AS "intentKey", at FROM fulfilments WHERE customer_id = $1',
      [customerId],
    )) as {
      intentKey: string;
      at: Date;
    }[];
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

  async lastInbound(
    tx: EntityManager,
    customerId: string,
  ): Promise<{ channel: string; at: Date } | undefined> {
    const rows = (await tx.query('SELECT channel, at FROM last_inbound WHERE customer_id = $1', [
      customerId,
    ])) as { channel: string; at: Date }[];
    return rows[0];
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

  async profile(tx: EntityManager, customerId: string): Promise<ProfileData | undefined> {
    const rows = (await tx.query('SELECT profile FROM profiles WHERE customer_id = $1', [
      customerId,
    ])) as { profile: ProfileData }[];
    return rows[0]?.profile;
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
