import { CREATE_OUTBOX } from '@onevoice/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer profiles: the compact behaviour state, the explicit preferences, the version and the
 * material content of the last profile published; the consent ledger (who said what, when,
 * through which channel, with which wording); an outbox for changes made over HTTP.
 */
export class Profiles1764100000000 implements MigrationInterface {
  name = 'Profiles1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE customers (
        customer_id   text        PRIMARY KEY,
        behaviour     jsonb       NOT NULL,
        preferences   jsonb       NOT NULL,
        version       integer     NOT NULL DEFAULT 0,
        published_key text,
        updated_at    timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE consent_ledger (
        id              bigserial   PRIMARY KEY,
        customer_id     text        NOT NULL,
        at              timestamptz NOT NULL,
        action          text        NOT NULL,
        channel         text,
        scope           text,
        via             text        NOT NULL,
        source          text        NOT NULL,
        wording_version text,
        detail          text
      )`);
    await db.query(
      'CREATE INDEX consent_ledger_by_customer ON consent_ledger (customer_id, at, id)',
    );
    await db.query(CREATE_OUTBOX);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const t of ['outbox', 'consent_ledger', 'customers']) await db.query(`DROP TABLE ${t}`);
  }
}
