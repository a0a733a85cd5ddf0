import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customer's do-not-disturb beside their opt-outs, from the same profile: a delivery due
 * inside it (a critical one excepted) waits until it ends.
 */
export class RefusalsDoNotDisturb1764800000001 implements MigrationInterface {
  name = 'RefusalsDoNotDisturb1764800000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE refusals ADD COLUMN dnd_until timestamptz');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE refusals DROP COLUMN dnd_until');
  }
}
