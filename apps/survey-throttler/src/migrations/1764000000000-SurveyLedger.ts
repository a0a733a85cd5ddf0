import { CREATE_OUTBOX } from '@onevoice/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The survey ledger: every survey request with the gate's word on it, what the throttler knows of
 * the customer (open cases, messages about to go out or gone out), and an outbox for what a held
 * survey's due time decides.
 */
export class SurveyLedger1764000000000 implements MigrationInterface {
  name = 'SurveyLedger1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE surveys (
        request_key      text        PRIMARY KEY,
        customer_id      text        NOT NULL,
        source           text        NOT NULL,
        request_id       text        NOT NULL,
        survey_type      text        NOT NULL,
        interaction_id   text        NOT NULL,
        touchpoint       text,
        request          jsonb       NOT NULL,
        received_at      timestamptz NOT NULL,
        expires_at       timestamptz NOT NULL,
        status           text        NOT NULL,
        hold_until       timestamptz,
        hold_code        text,
        decision_count   integer     NOT NULL DEFAULT 0,
        decided_at       timestamptz,
        dropped_downstream boolean   NOT NULL DEFAULT false
      )`);
    await db.query('CREATE INDEX surveys_by_customer ON surveys (customer_id, received_at)');
    await db.query(`CREATE INDEX surveys_due ON surveys (hold_until) WHERE status = 'held'`);
    await db.query('CREATE UNIQUE INDEX surveys_by_request ON surveys (source, request_id)');
    await db.query(`
      CREATE TABLE cases (
        customer_id text NOT NULL, case_id text NOT NULL, kind text NOT NULL,
        PRIMARY KEY (customer_id, case_id)
      )`);
    await db.query(`
      CREATE TABLE contacts (
        decision_id text        PRIMARY KEY,
        customer_id text        NOT NULL,
        state       text        NOT NULL,
        at          timestamptz NOT NULL,
        decided_at  timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX contacts_by_customer ON contacts (customer_id, at)');
    await db.query(CREATE_OUTBOX);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const t of ['outbox', 'contacts', 'cases', 'surveys']) await db.query(`DROP TABLE ${t}`);
  }
}
