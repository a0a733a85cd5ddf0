import type { CustomerState } from './ledger.types';

interface Entry {
  version: number;
  state: CustomerState;
  keptAt: number;
}

export interface LedgerCacheOptions {
  /** Customers kept at most; the least recently kept go first. 0 keeps none. */
  maxCustomers: number;
  /** How long a kept ledger may be used (its time-bounded parts — history, documents — age). */
  ttlMs: number;
}

/**
 * Customers' ledgers as this instance last wrote them, each with the ledger's version then (see
 * LedgerVersions1764600000000). A customer's requests usually come in bursts — a billing run, an
 * outage's updates, a car service's bookings — and each batch of a burst would read the same
 * history again; with this, only the first does.
 *
 * A kept ledger is used in one of two ways, each of which tells whether nobody — another
 * instance, another path of this one — changed the customer since. Under the customer's lock,
 * whose taking raised the version by one: a ledger kept at version v is used only if the lock
 * returned v + 1 (`take`). Or without the lock (`peek`): the decisions made from it are written
 * only if the version is still v (see LedgerRepository.applyWrites). Either way the entry is
 * removed before the ledger changes, and `keep` puts it back after the write committed, so a
 * change that was rolled back or not written is never remembered.
 */
export class LedgerCache {
  private readonly entries = new Map<string, Entry>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly options: LedgerCacheOptions,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The customer's ledger if it is still the one at `lockedVersion - 1`; removed either way. */
  take(customerId: string, lockedVersion: number): CustomerState | undefined {
    const entry = this.entries.get(customerId);
    if (entry) this.entries.delete(customerId);
    const fresh =
      entry !== undefined &&
      entry.version === lockedVersion - 1 &&
      this.clock() - entry.keptAt < this.options.ttlMs;
    if (fresh) this.hits++;
    else this.misses++;
    return fresh ? entry.state : undefined;
  }

  /**
   * The customer's ledger and its version, if one is kept and not too old — left in place, for a
   * batch that decides first and then writes only if the version is still this one (see
   * `DecisionsConsumer`); `drop` it before changing it.
   */
  peek(customerId: string): { version: number; state: CustomerState } | undefined {
    const entry = this.entries.get(customerId);
    if (!entry || this.clock() - entry.keptAt >= this.options.ttlMs) return undefined;
    return { version: entry.version, state: entry.state };
  }

  drop(customerId: string): void {
    this.entries.delete(customerId);
  }

  /** Remembers a ledger as a committed transaction left it, at the version it locked. */
  keep(customerId: string, version: number, state: CustomerState): void {
    if (this.options.maxCustomers <= 0) return;
    this.entries.delete(customerId);
    this.entries.set(customerId, { version, state, keptAt: this.clock() });
    while (this.entries.size > this.options.maxCustomers) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  stats(): { customers: number; hits: number; misses: number } {
    return { customers: this.entries.size, hits: this.hits, misses: this.misses };
  }
}
