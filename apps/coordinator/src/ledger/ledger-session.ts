import type { EntityManager } from 'typeorm';
import type { LedgerRepository } from './ledger.repository';
import {
  addPendingRequest,
  type CustomerState,
  type LedgerWrites,
  type RequestRow,
  type StoredRequest,
} from './ledger.types';

/**
 * The ledger as one batch's decisions see it: customers' state read once for all of them (or
 * adopted as an earlier batch left it: see LedgerCache), kept in memory while their requests are
 * decided (so a batch's second request about a customer sees the first one's decision), and every
 * change written together at the end. A Kafka batch of hundreds of requests then costs a handful
 * of round trips instead of several per request.
 */
export class LedgerSession {
  private readonly states = new Map<string, CustomerState>();
  private writes = noWrites();

  constructor(
    readonly tx: EntityManager,
    private readonly repo: LedgerRepository,
    /**
     * Whether the decisions made are logged and published: false for a what-if session
     * (a simulation or replay), which keeps the decisions' effects on the ledger only, so
     * nothing is serialized or counted for it.
     */
    readonly publishes = true,
  ) {}

  /** Reads these customers' state (see `LedgerRepository.customerStates` for what it holds). */
  async load(
    customerIds: readonly string[],
    now: Date,
    options: { heldDocuments?: boolean } = {},
  ): Promise<void> {
    const missing = [...new Set(customerIds)].filter((c) => !this.states.has(c));
    if (missing.length === 0) return;
    const loaded = await this.repo.customerStates(this.tx, missing, now, options);
    for (const c of missing)
      this.states.set(c, loaded.get(c) ?? { history: [], cases: [], fulfilled: [] });
  }

  /** Takes a customer's state as it is (kept in memory from an earlier batch: see LedgerCache). */
  adopt(customerId: string, state: CustomerState): void {
    this.states.set(customerId, state);
  }

  /** Every customer this session holds, with its state as the session's decisions left it. */
  customers(): IterableIterator<[string, CustomerState]> {
    return this.states.entries();
  }

  state(customerId: string): CustomerState {
    const state = this.states.get(customerId);
    if (!state) throw new Error(`customer ${customerId} was not loaded into this ledger session`);
    return state;
  }

  /**
   * A new request of a loaded customer: pending in its history now, stored at `flush` as this
   * session's decisions left it. `from` is where it was read.
   */
  addRequest(request: StoredRequest, from?: { topic: string; offset: string }): void {
    const row = addPendingRequest(this.state(request.customerId).history, request);
    this.writes.inserts.push({ row, ...(from ? { from } : {}) });
  }

  /** Changes a request's state, in memory now and in the database at `flush`. */
  update(row: RequestRow, changes: Partial<RequestRow>): void {
    Object.assign(row, changes);
    this.writes.states.set(row.request_key, row);
  }

  /**
   * The contact request being processed: the decisions logged meanwhile are what it caused, and
   * what a redelivery of it publishes again (see `LedgerRepository.earlierClaims`).
   */
  cause?: string;
  private causeSeq = 0;

  logDecision(entry: LedgerWrites['decisions'][number]): void {
    this.writes.decisions.push(
      this.cause ? { ...entry, cause: this.cause, causeSeq: this.causeSeq++ } : entry,
    );
  }

  /** Requests merged into a decision, in the order they came. */
  mergedInto(customerId: string, decisionId: string): string[] {
    return this.state(customerId)
      .history.filter((h) => h.status === 'merged' && h.merged_into === decisionId)
      .map((h) => h.request_key);
  }

  /**
   * Writes what the session's decisions changed. With `ifVersions`, only if those customers'
   * ledgers are still at those versions (see `LedgerRepository.applyWrites`): false when not, and
   * nothing was written.
   */
  async flush(ifVersions?: ReadonlyMap<string, number>): Promise<boolean> {
    const writes = this.writes;
    this.writes = noWrites();
    return this.repo.applyWrites(this.tx, writes, ifVersions);
  }
}

function noWrites(): LedgerWrites {
  return { inserts: [], states: new Map(), decisions: [] };
}
