import { CREATE_PROCESSED_MESSAGES, DROP_PROCESSED_MESSAGES } from '@onevoice/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DispatcherInit1763900000000 implements MigrationInterface {
  name = 'DispatcherInit1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(CREATE_PROCESSED_MESSAGES);
    await db.query(`
      CREATE TABLE deliveries (
        delivery_id         text        PRIMARY KEY,
        decision_id         text        NOT NULL UNIQUE,
        customer_id         text        NOT NULL,
        channel             text        NOT NULL,
        provider            text        NOT NULL,
        state               text        NOT NULL,
        subject             text        NOT NULL,
        body                text        NOT NULL,
        provider_message_id text,
        created_at          timestamptz NOT NULL DEFAULT now(),
        sent_at             timestamptz
      )`);
    await db.query('CREATE INDEX deliveries_by_customer ON deliveries (customer_id, created_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE deliveries');
    await db.query(DROP_PROCESSED_MESSAGES);
  }
}
