import type { Category, Channel, ProfileData, Urgency } from '@onevoice/contracts';

/** What the coordinator stores of a request, to decide it (again) and to describe it. */
export interface StoredRequest {
  requestKey: string;
  customerId: string;
  source: string;
  requestId: string;
  intentType: string;
  intentKey: string;
  category: Category;
  urgency: Urgency;
  /** The catalogue's `transactional` (absent: false, as in requests stored before it). */
  transactional?: boolean;
  defaultChannels: Channel[];
  allowedChannels?: Channel[];
  replyTo?: { channel: string };
  variables: Record<string, unknown>;
  action: { url?: string; replyKeyword?: string };
  receivedAt: string;
  notBefore?: string;
  expiresAt: string;
  update?: number;
  /** For a reminder: what it follows up, and the department whose message that was (its owner). */
  reminder?: { of: string; number: number; maxReminders: number; department?: string };
}

/** A request row as the ledger holds it now. */
export interface RequestRow {
  request_key: string;
  customer_id: string;
  /**
   * The request as received. A history loaded to decide leaves it out (null) where no decision
   * made now can change the request — settled (suppressed, gone out), or held for later and not
   * an update (see `LedgerRepository.customerStates`); `requestOf` reads it.
   */
  request: StoredRequest | null;
  /** The department's channel restriction, kept even where `request` is left out. */
  allowed_channels: Channel[] | null;
  status: 'pending' | 'approved' | 'deferred' | 'merged' | 'suppressed';
  decision_id: string | null;
  decision_count: number;
  channel: Channel | null;
  at: Date | null;
  send_before: Date | null;
  merged_into: string | null;
  sent: boolean;
  engaged: boolean;
  intent_key: string;
  category: Category;
  urgency: Urgency;
  update_seq: number | null;
  reminder_of: string | null;
  received_at: Date;
}

/** What the coordinator knows of one customer when it decides. */
export interface CustomerState {
  history: RequestRow[];
  cases: { caseId: string; kind: string }[];
  /** Intents done; with `source`, only that department's requests of it. */
  fulfilled: { intentKey: string; at: string; source?: string | null }[];
  inbound?: { channel: string; at: string };
  profile?: ProfileData;
}

/** What a batch of decisions changes, written together. */
export interface LedgerWrites {
  /** New requests, stored with their final state; where each was read, for the inbox. */
  inserts: { row: RequestRow; from?: { topic: string; offset: string } }[];
  /** The final state of each request touched, by request key. */
  states: Map<string, RequestRow>;
  decisions: {
    decisionId: string;
    requestKey: string;
    customerId: string;
    outcome: string;
    channel?: string;
    policyVersion: string;
    decidedAt: Date;
    /** The decision event as published (`JSON.stringify`), its reasons included. */
    event: string;
    /** The contact request whose processing made this decision, and its place among them. */
    cause?: string;
    causeSeq?: number;
    /** The line the timeline shows for it. */
    summary: string;
  }[];
}

/** A row's request; a loaded history leaves it out only where no decision now can change it. */
export function requestOf(row: RequestRow): StoredRequest {
  if (!row.request)
    throw new Error(
      `request ${row.request_key} was loaded without its document; it cannot be decided now`,
    );
  return row.request;
}

/**
 * A new request as a loaded history would hold it once stored pending, put in its place in
 * `history` (by arrival, then key); returns its row.
 */
export function addPendingRequest(history: RequestRow[], r: StoredRequest): RequestRow {
  const row: RequestRow = {
    request_key: r.requestKey,
    customer_id: r.customerId,
    request: r,
    allowed_channels: r.allowedChannels ?? null,
    status: 'pending',
    decision_id: null,
    decision_count: 0,
    channel: null,
    at: null,
    send_before: null,
    merged_into: null,
    sent: false,
    engaged: false,
    intent_key: r.intentKey,
    category: r.category,
    urgency: r.urgency,
    update_seq: r.update ?? null,
    reminder_of: r.reminder?.of ?? null,
    received_at: new Date(r.receivedAt),
  };
  const at = row.received_at.getTime();
  let i = history.length;
  while (i > 0) {
    const before = history[i - 1]!;
    const t = before.received_at.getTime();
    if (t < at || (t === at && before.request_key <= row.request_key)) break;
    i--;
  }
  history.splice(i, 0, row);
  return row;
}
