import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery whose decision allows a fallback keeps where it may go next (channels, their quiet
 * hours, the customer's time zone, the deadline) and what it says, so that a definitive failure
 * can become a delivery on the next channel. A decision may now have one delivery per channel it
 * fell back to: the first keeps the decision's delivery id, each later one has its own.
 */
export class DeliveryFallback1764300000000 implements MigrationInterface {
  name = 'DeliveryFallback1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deliveries ADD COLUMN fallback jsonb, ADD COLUMN content jsonb`);
    // Still one delivery per decision on each channel; the first is the decision's (its id).
    await db.query(`ALTER TABLE deliveries DROP CONSTRAINT deliveries_decision_id_key`);
    await db.query(
      `ALTER TABLE deliveries ADD CONSTRAINT deliveries_decision_channel UNIQUE (decision_id, channel)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deliveries DROP CONSTRAINT deliveries_decision_channel`);
    await db.query(
      `ALTER TABLE deliveries ADD CONSTRAINT deliveries_decision_id_key UNIQUE (decision_id)`,
    );
    await db.query(`ALTER TABLE deliveries DROP COLUMN fallback, DROP COLUMN content`);
  }
}
