import { CREATE_OUTBOX } from '@onevoice/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deliveries wait for their send window (quiet hours, notBefore) in Postgres, and a decision
 * that replaces an earlier one calls the earlier delivery off. Decided-off-Kafka events go out
 * through the outbox.
 */
export class DispatcherSchedule1763910000000 implements MigrationInterface {
  name = 'DispatcherSchedule1763910000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE deliveries
        ADD COLUMN send_after  timestamptz,
        ADD COLUMN send_before timestamptz,
        ADD COLUMN request_id  text,
        ADD COLUMN intent_type text,
        ADD COLUMN intent_key  text`);
    await db.query(
      `CREATE INDEX deliveries_due ON deliveries (send_after) WHERE state = 'scheduled'`,
    );
    await db.query(CREATE_OUTBOX);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE outbox');
    await db.query('DROP INDEX deliveries_due');
    await db.query(`ALTER TABLE deliveries DROP COLUMN send_after, DROP COLUMN send_before, DROP COLUMN request_id,
                    DROP COLUMN intent_type, DROP COLUMN intent_key`);
  }
}
