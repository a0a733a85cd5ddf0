import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version per customer ledger, raised by every transaction that may change it. Taking a
 * customer's lock is raising its version (the row lock serializes work on the customer, as the
 * advisory lock did), so an instance that kept a customer's ledger in memory knows from the
 * version whether anyone — another instance, another path — changed it since (see LedgerCache).
 */
export class LedgerVersions1764600000000 implements MigrationInterface {
  name = 'LedgerVersions1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      'CREATE TABLE ledger_versions (customer_id text PRIMARY KEY, version bigint NOT NULL)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE ledger_versions');
  }
}
