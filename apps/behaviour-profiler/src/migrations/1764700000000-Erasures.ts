import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasures asked for (`DELETE /v1/customers/{id}`) and which services have confirmed them. The
 * customer is named only by a keyed hash of their id: the record outlives their data.
 */
export class Erasures1764700000000 implements MigrationInterface {
  name = 'Erasures1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE erasures (
        erasure_id   text        PRIMARY KEY,
        customer_key text        NOT NULL,
        requested_at timestamptz NOT NULL,
        requested_by text        NOT NULL,
        confirmed    jsonb       NOT NULL DEFAULT '{}'::jsonb
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE erasures');
  }
}
