import { serviceDatabaseForSpec, testStack, waitFor } from '@onevoice/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { LedgerRepository } from '../src/ledger/ledger.repository';
import { LedgerSession } from '../src/ledger/ledger-session';
import type { StoredRequest } from '../src/ledger/ledger.types';
import { COORDINATOR_MIGRATIONS } from '../src/migrations';

/**
 * A new contact request is stored only once decided. Two transactions holding the same request —
 * two instances during a rebalance — take the customer's lock in turn; the second looked for the
 * request before the first stored it, and must not store (and publish) a second decision: its
 * write fails, it rolls back, and the batch tried again finds the request stored.
 */
describe('one request in two transactions', () => {
  const stack = testStack();
  let ds: DataSource;
  let close: () => Promise<void>;
  const repo = new LedgerRepository();

  beforeAll(async () => {
    ({ ds, close } = await serviceDatabaseForSpec(stack, {
      schema: 'coordinator',
      migrations: COORDINATOR_MIGRATIONS,
    }));
  });
  afterAll(() => close());

  const request: StoredRequest = {
    requestKey: 'billing/bill-1',
    customerId: 'race-customer',
    source: 'billing',
    requestId: 'bill-1',
    intentType: 'billing.payment_due',
    intentKey: 'bill:2026-11',
    category: 'billing',
    urgency: 'normal',
    defaultChannels: ['email'],
    variables: { amount: '10.00 EUR' },
    action: { url: 'https://pay.example.test' },
    receivedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  };

  /** What a batch does with the request: lock and look, then (if new) store it decided. */
  async function claimAndStore(tx: EntityManager, before?: () => Promise<void>) {
    const found = await repo.lockAndFind(tx, [request.customerId], [request.requestKey]);
    if (found.stored.has(request.requestKey)) return 'found stored';
    await before?.();
    const session = new LedgerSession(tx, repo);
    await session.load([request.customerId], new Date());
    session.addRequest(request, { topic: 'ov.contact-requests.v1', offset: '7' });
    await session.flush();
    return 'stored';
  }

  it('stores it once; the second transaction fails and, tried again, finds it', async () => {
    let releaseFirst!: () => void;
    const firstHoldsTheLock = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstLocked!: () => void;
    const locked = new Promise<void>((resolve) => {
      firstLocked = resolve;
    });
    const first = ds.transaction((tx) =>
      claimAndStore(tx, async () => {
        firstLocked();
        await firstHoldsTheLock;
      }),
    );
    await locked;
    // The second looks while the first holds the lock (and has not stored the request yet).
    const second = ds.transaction((tx) => claimAndStore(tx));
    // Released once the second waits for the first's lock (Postgres says so), not after a guess.
    await waitFor('the second transaction waiting for the lock', async () => {
      const rows = (await ds.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
            AND backend_type = 'client backend'`,
      )) as { n: number }[];
      return rows[0]!.n > 0 ? true : undefined;
    });
    releaseFirst();

    await expect(first).resolves.toBe('stored');
    await expect(second).rejects.toThrow(/stored meanwhile by another transaction/);
    await expect(ds.transaction((tx) => claimAndStore(tx))).resolves.toBe('found stored');
    const rows = (await ds.query(
      'SELECT count(*)::int AS n FROM coordinator.requests WHERE request_key = $1',
      [request.requestKey],
    )) as { n: number }[];
    expect(rows[0]!.n).toBe(1);
  });
});
