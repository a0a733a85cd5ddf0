import { LedgerCache } from './ledger-cache';
import { addPendingRequest, type CustomerState, type StoredRequest } from './ledger.types';

const state = (): CustomerState => ({ history: [], cases: [], fulfilled: [] });

describe('LedgerCache', () => {
  it('gives a ledger back only at the next version, and only once', () => {
    const cache = new LedgerCache({ maxCustomers: 10, ttlMs: 60_000 });
    const kept = state();
    cache.keep('c1', 7, kept);
    // Someone else locked the customer in between (8), so this lock returned 9.
    expect(cache.take('c1', 9)).toBeUndefined();
    cache.keep('c1', 7, kept);
    expect(cache.take('c1', 8)).toBe(kept);
    // Taken: a transaction that rolls back never puts it back.
    expect(cache.take('c1', 8)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, customers: 0 });
  });

  it('forgets a ledger after its time to live', () => {
    let now = 0;
    const cache = new LedgerCache({ maxCustomers: 10, ttlMs: 1_000 }, () => now);
    cache.keep('c1', 1, state());
    now = 1_000;
    expect(cache.take('c1', 2)).toBeUndefined();
  });

  it('shows a kept ledger and its version without giving it up, until dropped or too old', () => {
    let now = 0;
    const cache = new LedgerCache({ maxCustomers: 10, ttlMs: 1_000 }, () => now);
    const kept = state();
    cache.keep('c1', 4, kept);
    expect(cache.peek('c1')).toEqual({ version: 4, state: kept });
    expect(cache.peek('c1')?.state).toBe(kept);
    cache.drop('c1');
    expect(cache.peek('c1')).toBeUndefined();
    cache.keep('c1', 4, kept);
    now = 1_000;
    expect(cache.peek('c1')).toBeUndefined();
    expect(cache.peek('nobody')).toBeUndefined();
  });

  it('keeps at most maxCustomers, dropping the least recently kept', () => {
    const cache = new LedgerCache({ maxCustomers: 2, ttlMs: 60_000 });
    cache.keep('a', 1, state());
    cache.keep('b', 1, state());
    cache.keep('a', 2, state());
    cache.keep('c', 1, state());
    expect(cache.take('b', 2)).toBeUndefined();
    expect(cache.take('a', 3)).toBeDefined();
    expect(cache.take('c', 2)).toBeDefined();
  });

  it('keeps nothing when it is given no room', () => {
    const cache = new LedgerCache({ maxCustomers: 0, ttlMs: 60_000 });
    cache.keep('a', 1, state());
    expect(cache.take('a', 2)).toBeUndefined();
  });
});

describe('addPendingRequest', () => {
  const request = (key: string, receivedAt: string): StoredRequest => ({
    requestKey: key,
    customerId: 'c1',
    source: 'billing',
    requestId: key,
    intentType: 'billing.payment_due',
    intentKey: `bill:${key}`,
    category: 'billing',
    urgency: 'normal',
    defaultChannels: ['email'],
    variables: {},
    action: { url: 'https://pay.example.test' },
    receivedAt,
    expiresAt: '2027-01-01T00:00:00.000Z',
    update: 2,
  });

  it('adds the row a loaded history would hold, in its place by arrival and key', () => {
    const history = state().history;
    addPendingRequest(history, request('b', '2026-11-24T10:00:00.000Z'));
    addPendingRequest(history, request('d', '2026-11-24T12:00:00.000Z'));
    addPendingRequest(history, request('a', '2026-11-24T10:00:00.000Z'));
    addPendingRequest(history, request('c', '2026-11-24T11:00:00.000Z'));
    expect(history.map((h) => h.request_key)).toEqual(['a', 'b', 'c', 'd']);
    expect(history[0]).toMatchObject({
      status: 'pending',
      decision_id: null,
      decision_count: 0,
      sent: false,
      engaged: false,
      update_seq: 2,
      reminder_of: null,
      allowed_channels: null,
      received_at: new Date('2026-11-24T10:00:00.000Z'),
    });
    expect(history[0]!.request!.requestKey).toBe('a');
  });
});
