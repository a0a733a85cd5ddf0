import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who fulfilled an intent: a department allowed to fulfil only its own intents
 * (config/permissions.yaml, `fulfils: own`) settles only its own requests of it, so the same intent
 * key may be fulfilled once by its owner and once by another department. `by_source` is null for a
 * fulfilment that settles anyone's (the rows kept from before: they did).
 */
export class FulfilmentsBySource1764700000000 implements MigrationInterface {
  name = 'FulfilmentsBySource1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE fulfilments ADD COLUMN by_source text');
    await db.query('ALTER TABLE fulfilments DROP CONSTRAINT fulfilments_pkey');
    await db.query(
      `CREATE UNIQUE INDEX fulfilments_once ON fulfilments (customer_id, intent_key, coalesce(by_source, ''))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX fulfilments_once');
    await db.query('DELETE FROM fulfilments WHERE by_source IS NOT NULL');
    await db.query('ALTER TABLE fulfilments ADD PRIMARY KEY (customer_id, intent_key)');
    await db.query('ALTER TABLE fulfilments DROP COLUMN by_source');
  }
}
