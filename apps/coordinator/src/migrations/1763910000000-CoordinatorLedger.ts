import { CREATE_OUTBOX } from '@onevoice/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The coordinator's ledger: every request with its current state, the log of every decision,
 * what it knows of the customer (cases, fulfilments, last inbound contact, profile), the timeline
 * an agent reads, and an outbox for decisions taken off the Kafka path (when a hold comes due).
 * Replaces the walking skeleton's table of decisions.
 */
export class CoordinatorLedger1763910000000 implements MigrationInterface {
  name = 'CoordinatorLedger1763910000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE decisions');
    await db.query(`
      CREATE TABLE requests (
        request_key     text        PRIMARY KEY,
        customer_id     text        NOT NULL,
        source          text        NOT NULL,
        request_id      text        NOT NULL,
        intent_type     text        NOT NULL,
        intent_key      text        NOT NULL,
        category        text        NOT NULL,
        urgency         text        NOT NULL,
        request         jsonb       NOT NULL,
        status          text        NOT NULL,
        decision_id     text,
        decision_count  integer     NOT NULL DEFAULT 0,
        channel         text,
        at              timestamptz,
        send_before     timestamptz,
        merged_into     text,
        sent            boolean     NOT NULL DEFAULT false,
        engaged         boolean     NOT NULL DEFAULT false,
        update_seq      integer,
        reminder_of     text,
        received_at     timestamptz NOT NULL,
        expires_at      timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX requests_by_customer ON requests (customer_id, received_at)');
    await db.query(`CREATE INDEX requests_due ON requests (at) WHERE status = 'deferred'`);
    await db.query('CREATE INDEX requests_by_decision ON requests (decision_id)');
    await db.query(`
      CREATE TABLE decision_log (
        decision_id    text        PRIMARY KEY,
        request_key    text        NOT NULL,
        customer_id    text        NOT NULL,
        outcome        text        NOT NULL,
        channel        text,
        reasons        jsonb       NOT NULL,
        policy_version text        NOT NULL,
        decided_at     timestamptz NOT NULL,
        event          jsonb       NOT NULL
      )`);
    await db.query(
      'CREATE INDEX decision_log_by_customer ON decision_log (customer_id, decided_at)',
    );
    await db.query(`
      CREATE TABLE cases (
        customer_id text NOT NULL, case_id text NOT NULL, kind text NOT NULL, opened_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, case_id)
      )`);
    await db.query(`
      CREATE TABLE fulfilments (
        customer_id text NOT NULL, intent_key text NOT NULL, at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, intent_key)
      )`);
    await db.query(`
      CREATE TABLE last_inbound (customer_id text PRIMARY KEY, channel text NOT NULL, at timestamptz NOT NULL)`);
    await db.query(`
      CREATE TABLE profiles (
        customer_id text PRIMARY KEY, version integer NOT NULL, profile jsonb NOT NULL, updated_at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE timeline (
        id          bigserial   PRIMARY KEY,
        customer_id text        NOT NULL,
        at          timestamptz NOT NULL,
        kind        text        NOT NULL,
        summary     text        NOT NULL,
        detail      jsonb       NOT NULL
      )`);
    await db.query('CREATE INDEX timeline_by_customer ON timeline (customer_id, at, id)');
    await db.query(CREATE_OUTBOX);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const t of [
      'outbox',
      'timeline',
      'profiles',
      'last_inbound',
      'fulfilments',
      'cases',
      'decision_log',
      'requests',
    ]) {
      await db.query(`DROP TABLE ${t}`);
    }
    await db.query(`
      CREATE TABLE decisions (
        decision_id text PRIMARY KEY, request_id text NOT NULL, request_source text NOT NULL,
        customer_id text NOT NULL, intent_type text NOT NULL, intent_key text NOT NULL,
        outcome text NOT NULL, channel text, reasons jsonb NOT NULL, policy_version text NOT NULL,
        decided_at timestamptz NOT NULL, event jsonb NOT NULL, UNIQUE (request_source, request_id)
      )`);
  }
}
