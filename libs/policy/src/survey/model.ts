import type { CaseKind, Channel, ReasonCode, Touchpoint } from '@onevoice/contracts';
import type { Reason } from '../model';
import type { SurveyPolicy } from './survey-policy';

export type { Reason };

/** A survey request as the throttler's ledger holds it. */
export interface SurveyRecord {
  /** The asking department's source and event id. */
  key: string;
  surveyType: string;
  interactionId: string;
  /** Where the surveyed interaction happened, when known. */
  touchpoint?: Touchpoint;
  /** Channels the asking department allowed, if it restricted them. */
  channels?: readonly Channel[];
  receivedAt: Date;
  expiresAt: Date;
  status: 'held' | 'approved' | 'suppressed';
  /** When it was approved or suppressed. */
  decidedAt?: Date;
  /** The coordinator suppressed the approved survey: it never reached the customer. */
  droppedDownstream?: boolean;
}

/** A message to the customer the throttler heard of: about to go out, or gone out. */
export interface Contact {
  decisionId: string;
  state: 'pending' | 'sent';
  /** When it went out (sent), or when it was approved to go (pending). */
  at: Date;
  /** When the coordinator approved it. */
  decidedAt: Date;
}

/** What the gate knows of one customer. */
export interface SurveyLedger {
  customerId: string;
  surveys: readonly SurveyRecord[];
  openCases: readonly { caseId: string; kind: CaseKind }[];
  contacts: readonly Contact[];
}

/** The gate's word on one held survey. */
export type SurveyVerdict =
  | { key: string; outcome: 'approved'; channels?: Channel[]; reasons: Reason[] }
  | { key: string; outcome: 'suppressed'; code: ReasonCode; reasons: Reason[] }
  | { key: string; outcome: 'held'; until: Date; code: ReasonCode; reasons: Reason[] };

/** What every rule sees. */
export interface GateContext {
  ledger: SurveyLedger;
  policy: SurveyPolicy;
  now: number;
}

export const iso = (ms: number) => new Date(ms).toISOString();
