import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a delivery's provider may already have taken it: an earlier call went out and its
 * outcome was never known (a timeout, a reset, a 409 for its key). Such a delivery never falls
 * back to another channel on a later failure — the provider is asked what it took first.
 */
export class DeliveryMaybeTaken1764900000000 implements MigrationInterface {
  name = 'DeliveryMaybeTaken1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deliveries ADD COLUMN maybe_taken boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE deliveries DROP COLUMN maybe_taken');
  }
}
