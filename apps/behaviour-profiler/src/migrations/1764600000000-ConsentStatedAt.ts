import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent ledger's `at` is when OneVoice recorded a change; the time its sender claimed (an
 * event's `time`) is kept beside it, so an entry can no longer be back-dated by a sender.
 */
export class ConsentStatedAt1764600000000 implements MigrationInterface {
  name = 'ConsentStatedAt1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE consent_ledger ADD COLUMN stated_at timestamptz');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE consent_ledger DROP COLUMN stated_at');
  }
}
