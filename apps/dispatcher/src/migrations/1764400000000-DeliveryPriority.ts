import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deliveries go out most urgent first (0 critical … 3 low), then oldest first: an outage notice
 * does not wait behind a backlog of newsletters.
 */
export class DeliveryPriority1764400000000 implements MigrationInterface {
  name = 'DeliveryPriority1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deliveries ADD COLUMN priority smallint NOT NULL DEFAULT 2`);
    await db.query('DROP INDEX deliveries_due');
    await db.query(
      `CREATE INDEX deliveries_due ON deliveries (priority, send_after) WHERE state = 'scheduled'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX deliveries_due');
    await db.query(
      `CREATE INDEX deliveries_due ON deliveries (send_after) WHERE state = 'scheduled'`,
    );
    await db.query(`ALTER TABLE deliveries DROP COLUMN priority`);
  }
}
