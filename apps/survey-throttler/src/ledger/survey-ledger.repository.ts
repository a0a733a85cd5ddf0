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

  async isOurSurvey(tx: EntityManager, source: string, requestId: string): Promise<boolean> {
    const rows = (await tx.query(
      'SELECT 1 FROM surveys WHERE source = $1 AND request_id = $2 LIMIT 1',
      [source, requestId],
    )) as unknown[];
    return rows.length > 0;
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

  /** Forgets a customer's contacts too old to matter to the gate, so the table stays small. */
  private async forgetOldContacts(tx: EntityManager, customerId: string, now: Date) {
    await tx.query(
      `DELETE FROM contacts WHERE customer_id = $1 AND at < $2 AND (state = 'sent' OR decided_at < $2)`,
      [customerId, new Date(now.getTime() - KEEP_CONTACTS_MS)],
    );
  }

  /** A message approved to go out: pending until a delivery says it went (or it is called off). */
  async contactPending(
    tx: EntityManager,
    customerId: string,
    decisionId: string,
    at: Date,
    decidedAt: Date,
  ) {
    await tx.query(
      `INSERT INTO contacts (decision_id, customer_id, state, at, decided_at) VALUES ($1, $2, 'pending', $3, $4)
       ON CONFLICT (decision_id) DO NOTHING`,
      [decisionId, customerId, at, decidedAt],
    );
    await this.forgetOldContacts(tx, customerId, decidedAt);
  }

  async contactSent(tx: EntityManager, customerId: string, decisionId: string, at: Date) {
    await tx.query(
      `INSERT INTO contacts (decision_id, customer_id, state, at, decided_at) VALUES ($1, $2, 'sent', $3, $3)
       ON CONFLICT (decision_id) DO UPDATE SET state = 'sent', at = EXCLUDED.at`,
      [decisionId, customerId, at],
    );
    await this.forgetOldContacts(tx, customerId, at);
  }

  /** A message that will not go out after all (replaced, failed): nothing to wait for. */
  async contactCalledOff(tx: EntityManager, decisionId: string) {
    await tx.query(`DELETE FROM contacts WHERE decision_id = $1 AND state = 'pending'`, [
      decisionId,
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
