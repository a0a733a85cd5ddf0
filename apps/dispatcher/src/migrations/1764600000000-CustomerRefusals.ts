import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each customer refused (opt-outs), from the latest profile the dispatcher has read: checked
 * at the moment a provider is called, so a decision made before an opt-out is never carried out
 * after it.
 */
export class CustomerRefusals1764600000000 implements MigrationInterface {
  name = 'CustomerRefusals1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE refusals (
        customer_id  text PRIMARY KEY,
        version      bigint NOT NULL,
        opt_outs     jsonb NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE refusals');
  }
}
