import { CREATE_PROCESSED_MESSAGES, DROP_PROCESSED_MESSAGES } from '@onevoice/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CoordinatorInit1763900000000 implements MigrationInterface {
  name = 'CoordinatorInit1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(CREATE_PROCESSED_MESSAGES);
    await db.query(`
      CREATE TABLE decisions (
        decision_id    text        PRIMARY KEY,
        request_id     text        NOT NULL,
        request_source text        NOT NULL,
        customer_id    text        NOT NULL,
        intent_type    text        NOT NULL,
        intent_key     text        NOT NULL,
        outcome        text        NOT NULL,
        channel        text,
        reasons        jsonb       NOT NULL,
        policy_version text        NOT NULL,
        decided_at     timestamptz NOT NULL,
        event          jsonb       NOT NULL,
        UNIQUE (request_source, request_id)
      )`);
    await db.query('CREATE INDEX decisions_by_customer ON decisions (customer_id, decided_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE decisions');
    await db.query(DROP_PROCESSED_MESSAGES);
  }
}
