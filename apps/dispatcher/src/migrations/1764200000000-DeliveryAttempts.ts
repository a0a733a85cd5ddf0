import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery is recorded before any provider call, and claimed (`sending`) in its own committed
 * transaction before the call: attempts, the time of the next one, when it was claimed (a claim
 * older than the lease means the sender died mid-call), the last error, and the one-click
 * unsubscribe link an email's List-Unsubscribe header carries, and the trace the decision came
 * in (the provider call continues it).
 */
export class DeliveryAttempts1764200000000 implements MigrationInterface {
  name = 'DeliveryAttempts1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE deliveries
        ADD COLUMN attempts        integer     NOT NULL DEFAULT 0,
        ADD COLUMN next_attempt_at timestamptz,
        ADD COLUMN claimed_at      timestamptz,
        ADD COLUMN last_error      text,
        ADD COLUMN list_unsubscribe text,
        ADD COLUMN traceparent     text,
        ADD COLUMN tracking_pixel  text`);
    await db.query(
      `CREATE INDEX deliveries_in_flight ON deliveries (claimed_at) WHERE state IN ('sending', 'uncertain')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX deliveries_in_flight');
    await db.query(`ALTER TABLE deliveries DROP COLUMN attempts, DROP COLUMN next_attempt_at,
                    DROP COLUMN claimed_at, DROP COLUMN last_error, DROP COLUMN list_unsubscribe, DROP COLUMN traceparent, DROP COLUMN tracking_pixel`);
  }
}
