import type {
  CaseKind,
  Category,
  Channel,
  DecisionReason,
  ReasonCode,
  Touchpoint,
  Urgency,
} from '@onevoice/contracts';

/** What a department asks for, with its intent's catalogue entry resolved. */
export interface ContactRequest {
  requestId: string;
  source: string;
  intentType: string;
  intentKey: string;
  category: Category;
  urgency: Urgency;
  /** About something the customer did or asked for: counted in budgets, never held back by them. */
  transactional?: boolean;
  /** The catalogue's channels, in its order of preference. */
  defaultChannels: readonly Channel[];
  /** The department's restriction, if it made one. */
  allowedChannels?: readonly Channel[];
  replyTo?: { channel: Touchpoint };
  receivedAt: Date;
  notBefore?: Date;
  expiresAt: Date;
  /** Sequence number of a superseding update (outage update 3 replaces 2). */
  update?: number;
  /** Decided before and held (for a digest, a budget, a time): now it is decided again. */
  heldBefore?: boolean;
  /** Decided again (it was displaced): the channel it had, which it keeps. */
  previousChannel?: Channel;
  /** For a reminder: the decision it follows up, and which reminder this is (1, 2, …). */
  reminder?: { of: string; number: number; maxReminders: number; department?: string };
}

/** A decision already made for this customer, as the ledger remembers it. */
export interface LedgerDecision {
  decisionId: string;
  requestId: string;
  intentKey: string;
  category: Category;
  urgency: Urgency;
  outcome: 'approved' | 'deferred' | 'merged' | 'suppressed';
  channel?: Channel;
  /** When it was decided. */
  decidedAt: Date;
  /** For approved: when it goes (or went) out; for deferred: when it is looked at again. */
  at?: Date;
  /** Approved and already handed to a provider. */
  sent?: boolean;
  update?: number;
  /** The customer engaged with it (opened, clicked, replied, …). */
  engaged?: boolean;
  reminderOf?: string;
  /** The channels its department allowed, if it restricted them. */
  allowedChannels?: readonly Channel[];
}

export interface CustomerLedger {
  decisions: readonly LedgerDecision[];
  openCases: readonly { caseId: string; kind: CaseKind }[];
  /** Intents done; with `source`, done only for that department's requests (its own). */
  fulfilledIntents: readonly { intentKey: string; at: Date; source?: string }[];
  lastInbound?: { channel: Touchpoint; at: Date };
}

export interface CustomerProfile {
  /** The customer's zone; when `zoneUnknown`, the default market's (`policy.timeZones`). */
  timeZone: string;
  /** OneVoice never learnt their zone: voice and SMS keep the quiet hours of every market. */
  zoneUnknown?: boolean;
  quietHours?: { start: string; end: string };
  doNotDisturbUntil?: Date;
  preferredChannel?: Channel;
  categoryChannels?: Partial<Record<Category, Channel>>;
  optOuts: readonly { channel?: Channel; category?: Category }[];
  consents: readonly { channel: Channel; purpose: string }[];
  frequency?: 'as_it_comes' | 'daily_digest' | 'weekly_digest';
  /** Inferred affinities, best first. */
  inferred?: readonly { channel: Channel; confidence: number }[];
}

export type Reason = DecisionReason;

/** Minutes after local midnight: a quiet window such as 21:00–08:00 is { start: 1260, end: 480 }. */
export interface ClockWindow {
  start: number;
  end: number;
}

export type Decision =
  | {
      outcome: 'approved';
      channel: Channel;
      sendAfter: Date;
      sendBefore: Date;
      /** Pending requests this one carries with it (digest). */
      mergedRequestIds: readonly string[];
      /** Earlier decisions this one replaces or displaces: the coordinator re-decides or cancels them. */
      supersedes: readonly string[];
      displaces: readonly string[];
      /** Where it may go instead if its channel definitively fails, in order (none: nowhere). */
      fallback: readonly { channel: Channel; quietHours: readonly ClockWindow[] }[];
      reasons: readonly Reason[];
    }
  | { outcome: 'deferred'; until: Date; reasons: readonly Reason[] }
  | { outcome: 'merged'; into: string; reasons: readonly Reason[] }
  | { outcome: 'suppressed'; code: ReasonCode; reasons: readonly Reason[] };
