import { Injectable } from '@nestjs/common';
import type { CaseKind, Touchpoint } from '@onevoice/contracts';
import type { EntityManager } from 'typeorm';
import type { Contact, SurveyLedger, SurveyRecord } from '@onevoice/policy';

/** What the throttler stores of a survey request, to send it as a contact request later. */
export interface StoredSurvey {
  requestKey: string;
  customerId: string;
  source: string;
  requestId: string;
  surveyType: string;
  interactionId: string;
  touchpoint?: Touchpoint;
  /** The intent type it goes out as, when the department named one (survey.invite). */
  intentType?: string;
  intentKey?: string;
  channels?: string[];
  variables?: Record<string, unknown>;
  action?: { url?: string; replyKeyword?: string };
  receivedAt: string;
  expiresAt: string;
  traceparent?: string;
}

export interface SurveyRow {
  request_key: string;
  customer_id: string;
  request: StoredSurvey;
  status: SurveyRecord['status'];
  hold_code: string | null;
  decision_count: number;
  decided_at: Date | null;
  dropped_downstream: boolean;
}

/** How long what a contact or survey tells the gate stays worth reading. */
const KEEP_CONTACTS_MS = 7 * 86_400_000;

/** The survey ledger; the only place that reads or writes the throttler's tables. */
@Injectable()
export class SurveyLedgerRepository {
  /** Serializes all work on one customer, whichever instance or path (Kafka, timer) does it. */
  async lockCustomer(tx: EntityManager, customerId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('survey-throttler:' || $1))`, [
      customerId,
    ]);
  }

  /**
   * Serializes work on many customers at once: their locks taken in one statement, in one order
   * (by hash), so two batches locking overlapping customers never wait on each other in a circle.
   */
  async lockCustomers(tx: EntityManager, customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    await tx.query(
      `SELECT pg_advisory_xact_lock(h) FROM (
         SELECT DISTINCT hashtext('survey-throttler:' || c) AS h FROM unnest($1::text[]) AS c
          ORDER BY h OFFSET 0) AS locks`,
      [customerIds],
    );
  }

  /** Of `customerIds`, those with a survey the gate holds (only theirs can a signal free or stop). */
  async holdingSurveys(tx: EntityManager, customerIds: readonly string[]): Promise<Set<string>> {
    if (customerIds.length === 0) return new Set();
    const rows = (await tx.query(
      `SELECT DISTINCT customer_id FROM surveys WHERE customer_id = ANY($1::text[]) AND status = 'held'`,
      [customerIds],
    )) as { customer_id: string }[];
    return new Set(rows.map((r) => r.customer_id));
  }

  /** Of the (source, request id) pairs, those of surveys this gate received. */
  async ourSurveys(
    tx: EntityManager,
    requests: readonly { source: string; requestId: string }[],
  ): Promise<Set<string>> {
    if (requests.length === 0) return new Set();
    const rows = (await tx.query(
      `SELECT DISTINCT s.source, s.request_id FROM surveys s
         JOIN unnest($1::text[], $2::text[]) AS t(source, request_id)
           ON s.source = t.source AND s.request_id = t.request_id`,
      [requests.map((r) => r.source), requests.map((r) => r.requestId)],
    )) as { source: string; request_id: string }[];
    return new Set(rows.map((r) => surveyKey(r.source, r.request_id)));
  }

  /**
   * A batch of signals about contacts, in three statements and the pruning, applied in the order
   * that gives what one signal after another would: pending contacts recorded (a contact known
   * already stays as it is), then called-off ones forgotten while still pending, then sent ones
   * recorded sent (whatever came before). Each customer's contacts older than a week before its
   * latest signal are forgotten.
   */
  async recordContacts(
    tx: EntityManager,
    signals: {
      pending: readonly { decisionId: string; customerId: string; at: Date; decidedAt: Date }[];
      calledOff: readonly string[];
      sent: readonly { decisionId: string; customerId: string; at: Date }[];
    },
  ): Promise<void> {
    const pending = [...new Map(signals.pending.map((c) => [c.decisionId, c])).values()];
    if (pending.length > 0)
      await tx.query(
        `INSERT INTO contacts (decision_id, customer_id, state, at, decided_at)
         SELECT decision_id, customer_id, 'pending', at, decided_at
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])
             AS t(decision_id, customer_id, at, decided_at)
         ON CONFLICT (decision_id) DO NOTHING`,
        [
          pending.map((c) => c.decisionId),
          pending.map((c) => c.customerId),
          pending.map((c) => c.at),
          pending.map((c) => c.decidedAt),
        ],
      );
    if (signals.calledOff.length > 0)
      await tx.query(
        `DELETE FROM contacts WHERE decision_id = ANY($1::text[]) AND state = 'pending'`,
        [[...new Set(signals.calledOff)]],
      );
    // The latest word on each: a message that went out twice (a fallback) was sent at the last.
    const sent = [...new Map(signals.sent.map((c) => [c.decisionId, c])).values()];
    if (sent.length > 0)
      await tx.query(
        `INSERT INTO contacts (decision_id, customer_id, state, at, decided_at)
         SELECT decision_id, customer_id, 'sent', at, at
           FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS t(decision_id, customer_id, at)
         ON CONFLICT (decision_id) DO UPDATE SET state = 'sent', at = EXCLUDED.at`,
        [sent.map((c) => c.decisionId), sent.map((c) => c.customerId), sent.map((c) => c.at)],
      );
    const latest = new Map<string, number>();
    for (const c of [...signals.pending.map((p) => ({ ...p, at: p.decidedAt })), ...signals.sent])
      latest.set(c.customerId, Math.max(latest.get(c.customerId) ?? 0, c.at.getTime()));
    if (latest.size > 0)
      await tx.query(
        // Found by the index on customer_id; $2 maps each customer to its cut-off.
        `DELETE FROM contacts c
          WHERE c.customer_id = ANY($1::text[]) AND c.at < ($2::jsonb->>c.customer_id)::timestamptz
            AND (c.state = 'sent' OR c.decided_at < ($2::jsonb->>c.customer_id)::timestamptz)`,
        [
          [...latest.keys()],
          JSON.stringify(
            Object.fromEntries(
              [...latest].map(([id, at]) => [id, new Date(at - KEEP_CONTACTS_MS).toISOString()]),
            ),
          ),
        ],
      );
  }

  /** Stores a new survey request, held until the gate decides it; false if it was known. */
  async insertSurvey(tx: EntityManager, s: StoredSurvey): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO surveys (request_key, customer_id, source, request_id, survey_type, interaction_id, touchpoint,
                            request, received_at, expires_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'held')
       ON CONFLICT (request_key) DO NOTHING RETURNING request_key`,
      [
        s.requestKey,
        s.customerId,
        s.source,
        s.requestId,
        s.surveyType,
        s.interactionId,
        s.touchpoint ?? null,
        JSON.stringify(s),
        s.receivedAt,
        s.expiresAt,
      ],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The customer's surveys (held, and decided within `windowMs`), open cases and recent contacts. */
  async load(
    tx: EntityManager,
    customerId: string,
    now: Date,
    windowMs: number,
  ): Promise<{ ledger: SurveyLedger; rows: Map<string, SurveyRow> }> {
    const since = new Date(now.getTime() - windowMs);
    const [surveys, cases, contacts] = await Promise.all([
      tx.query(
        `SELECT request_key, customer_id, request, status, hold_code, decision_count, decided_at, dropped_downstream
           FROM surveys WHERE customer_id = $1 AND (status = 'held' OR decided_at > $2 OR status = 'approved')
          ORDER BY received_at, request_key`,
        [customerId, since],
      ) as Promise<SurveyRow[]>,
      tx.query('SELECT case_id, kind FROM cases WHERE customer_id = $1', [customerId]) as Promise<
        { case_id: string; kind: CaseKind }[]
      >,
      tx.query(
        `SELECT decision_id, state, at, decided_at FROM contacts
          WHERE customer_id = $1 AND (state = 'pending' OR at > $2)`,
        [customerId, new Date(now.getTime() - KEEP_CONTACTS_MS)],
      ) as Promise<{ decision_id: string; state: Contact['state']; at: Date; decided_at: Date }[]>,
    ]);
    return {
      rows: new Map(surveys.map((r) => [r.request_key, r])),
      ledger: {
        customerId,
        surveys: surveys.map(toRecord),
        openCases: cases.map((c) => ({ caseId: c.case_id, kind: c.kind })),
        contacts: contacts.map((c) => ({
          decisionId: c.decision_id,
          state: c.state,
          at: c.at,
          decidedAt: c.decided_at,
        })),
      },
    };
  }

  async setStatus(
    tx: EntityManager,
    key: string,
    change: {
      status: SurveyRecord['status'];
      holdUntil?: Date;
      holdCode?: string;
      decisionCount: number;
      decidedAt?: Date;
    },
  ): Promise<void> {
    await tx.query(
      `UPDATE surveys SET status = $2, hold_until = $3, hold_code = $4, decision_count = $5, decided_at = $6
        WHERE request_key = $1`,
      [
        key,
        change.status,
        change.holdUntil ?? null,
        change.holdCode ?? null,
        change.decisionCount,
        change.decidedAt ?? null,
      ],
    );
  }

  /** The coordinator suppressed a survey the gate approved: it never reached the customer. */
  async markDroppedDownstream(tx: EntityManager, source: string, requestId: string) {
    await tx.query(
      `UPDATE surveys SET dropped_downstream = true WHERE source = $1 AND request_id = $2 AND status = 'approved'`,
      [source, requestId],
    );
  }

  async openCase(tx: EntityManager, customerId: string, caseId: string, kind: string) {
    await tx.query(
      `INSERT INTO cases (customer_id, case_id, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [customerId, caseId, kind],
    );
  }

  async closeCase(tx: EntityManager, customerId: string, caseId: string) {
    await tx.query('DELETE FROM cases WHERE customer_id = $1 AND case_id = $2', [
      customerId,
      caseId,
    ]);
  }

  /** A customer with a held survey whose time has come, claimed so no other instance takes it. */
  async dueCustomer(
    tx: EntityManager,
    now: Date,
    /** Customers to leave out (set aside after their work failed). */
    skip: readonly string[] = [],
  ): Promise<string | undefined> {
    const rows = (await tx.query(
      `SELECT customer_id FROM surveys
        WHERE status = 'held' AND hold_until <= $1 AND customer_id <> ALL($2::text[])
        ORDER BY hold_until LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [now, skip],
    )) as { customer_id: string }[];
    return rows[0]?.customer_id;
  }
}

/** How `ourSurveys` names a survey request. */
export function surveyKey(source: string, requestId: string): string {
  return `${source}\n${requestId}`;
}

function toRecord(r: SurveyRow): SurveyRecord {
  const s = r.request;
  return {
    key: r.request_key,
    surveyType: s.surveyType,
    interactionId: s.interactionId,
    ...(s.touchpoint ? { touchpoint: s.touchpoint } : {}),
    ...(s.channels ? { channels: s.channels as SurveyRecord['channels'] } : {}),
    receivedAt: new Date(s.receivedAt),
    expiresAt: new Date(s.expiresAt),
    status: r.status,
    ...(r.decided_at ? { decidedAt: new Date(r.decided_at) } : {}),
    ...(r.dropped_downstream ? { droppedDownstream: true } : {}),
  };
}
