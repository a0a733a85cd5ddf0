import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The timeline's requests and decisions are read from the ledger (the requests table and the
 * decision log) instead of being written a second time as timeline rows. Each such request and
 * decision takes its place in the timeline's own sequence when it is stored (`timeline_seq`), so
 * entries keep the order they were recorded in; a decision keeps its one-line summary. Rows from
 * before this migration have their timeline rows already and no `timeline_seq`.
 */
export class TimelineFromTheLedger1764500000001 implements MigrationInterface {
  name = 'TimelineFromTheLedger1764500000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE requests ADD COLUMN timeline_seq bigint');
    await db.query(
      'ALTER TABLE decision_log ADD COLUMN timeline_seq bigint, ADD COLUMN summary text',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE decision_log DROP COLUMN timeline_seq, DROP COLUMN summary');
    await db.query('ALTER TABLE requests DROP COLUMN timeline_seq');
  }
}
