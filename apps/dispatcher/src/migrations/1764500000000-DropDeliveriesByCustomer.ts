import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No query reads deliveries by customer (the coordinator's timeline is where an agent looks), yet
 * the index cost two entries per delivery: one when it is recorded, one when it is marked sent
 * (a change of state is never a heap-only update). Measured with `npm run bench:dispatcher`.
 */
export class DropDeliveriesByCustomer1764500000000 implements MigrationInterface {
  name = 'DropDeliveriesByCustomer1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX deliveries_by_customer');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('CREATE INDEX deliveries_by_customer ON deliveries (customer_id, created_at)');
  }
}
