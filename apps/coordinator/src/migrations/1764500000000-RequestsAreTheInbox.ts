import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The requests table is the contact-request consumer's inbox: a request remembers where it was
 * read, and each decision which request's processing made it (`cause`, in order), so a batch
 * delivered again after a crash publishes again what the ledger already holds — no second row
 * per message in `processed_messages`, no second copy of every decision event.
 */
export class RequestsAreTheInbox1764500000000 implements MigrationInterface {
  name = 'RequestsAreTheInbox1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      'ALTER TABLE requests ADD COLUMN source_topic text, ADD COLUMN source_offset bigint',
    );
    await db.query('ALTER TABLE decision_log ADD COLUMN cause text, ADD COLUMN cause_seq integer');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE decision_log DROP COLUMN cause, DROP COLUMN cause_seq');
    await db.query('ALTER TABLE requests DROP COLUMN source_topic, DROP COLUMN source_offset');
  }
}
