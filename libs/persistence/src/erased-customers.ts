import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from '@onevoice/clock';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DataSource } from 'typeorm';

/**
 * How long a service keeps refusing events about a customer it erased: long enough for every
 * event already in flight (a delivery report, a decision, a request read before the erasure) to
 * drain. The id is kept that long, and no longer.
 */
export const ERASURE_GUARD_MS = 24 * 3_600_000;

/** How often a service reads the customers other instances erased. */
const REFRESH_MS = 1_000;

/**
 * Customers this service erased in the last `ERASURE_GUARD_MS`: events about them still in flight
 * are skipped, not turned into new records (a profile published again after its tombstone, a
 * delivery of a decision made before). Kept in memory, read from `erased_customers` every second
 * (and added to at once by this instance's own erasures); rows past the guard are deleted.
 */
@Injectable()
export class ErasedCustomers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ErasedCustomers.name);
  private erased = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  private has(customerId: string | null | undefined): boolean {
    return customerId !== null && customerId !== undefined && this.erased.has(customerId);
  }

  /** `items` without those about an erased customer (counted and logged, without the ids). */
  without<T>(items: readonly T[], customerOf: (item: T) => string | null | undefined): T[] {
    if (this.erased.size === 0) return [...items];
    const kept = items.filter((i) => !this.has(customerOf(i)));
    const skipped = items.length - kept.length;
    if (skipped > 0) this.logger.log({ msg: 'skipped events about erased customers', skipped });
    return kept;
  }

  /** Remembers an erasure this instance just committed (the table has it too). */
  add(customerId: string): void {
    this.erased.add(customerId);
  }

  async refresh(): Promise<void> {
    const cutoff = new Date(this.clock.now().getTime() - ERASURE_GUARD_MS);
    await this.dataSource.query('DELETE FROM erased_customers WHERE erased_at < $1', [cutoff]);
    const rows = (await this.dataSource.query('SELECT customer_id FROM erased_customers')) as {
      customer_id: string;
    }[];
    this.erased = new Set(rows.map((r) => r.customer_id));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(
      () =>
        void this.refresh().catch((err: unknown) =>
          this.logger.warn({ msg: 'reading erased customers failed', error: String(err) }),
        ),
      REFRESH_MS,
    );
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

/** The SQL that records an erasure for the guard, in the erasure's transaction (`$1`, `$2`). */
export const RECORD_ERASED_CUSTOMER = `INSERT INTO erased_customers (customer_id, erased_at) VALUES ($1, $2)
  ON CONFLICT (customer_id) DO UPDATE SET erased_at = EXCLUDED.erased_at`;

/** The `erased_customers` table, in each service's schema (see `ErasedCustomers`). */
export class ErasedCustomers1764800000000 implements MigrationInterface {
  name = 'ErasedCustomers1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      'CREATE TABLE erased_customers (customer_id text PRIMARY KEY, erased_at timestamptz NOT NULL)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE erased_customers');
  }
}
