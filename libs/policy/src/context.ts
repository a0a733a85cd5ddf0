import type { Channel } from '@onevoice/contracts';
import type {
  ContactRequest,
  CustomerLedger,
  CustomerProfile,
  Decision,
  LedgerDecision,
  Reason,
} from './model';
import type { Policy } from './policy-config';

/** What a rule sees, and the decision taking shape as the rules run in order. */
export interface DecisionContext {
  readonly request: ContactRequest;
  readonly ledger: CustomerLedger;
  readonly profile: CustomerProfile;
  readonly policy: Policy;
  readonly now: number;
  /** The ledger's decisions about the same intent (same intentKey), found once. */
  readonly sameIntent: readonly LedgerDecision[];
  /** Channels still possible; rules only ever remove from it. */
  candidates: Channel[];
  channel?: Channel;
  /** Earliest moment the message may go. */
  sendAfter: number;
  sendBefore?: number;
  mergedRequestIds: string[];
  supersedes: string[];
  displaces: string[];
  reasons: Reason[];
}

/** A rule either lets the decision go on (undefined) or ends it. */
export type Rule = (ctx: DecisionContext) => Decision | undefined;

export function because(ctx: DecisionContext, rule: string, code: string, text: string): Reason {
  const reason = { rule, code, text };
  ctx.reasons.push(reason);
  return reason;
}

export function suppress(ctx: DecisionContext, rule: string, code: string, text: string): Decision {
  because(ctx, rule, code, text);
  return { outcome: 'suppressed', code, reasons: ctx.reasons };
}

export function defer(
  ctx: DecisionContext,
  rule: string,
  code: string,
  until: number,
  text: string,
): Decision {
  because(ctx, rule, code, text);
  return { outcome: 'deferred', until: new Date(until), reasons: ctx.reasons };
}

/** Urgency first, then the policy's category order; lower is more important. */
const URGENCY_RANK: Record<string, number> = { critical: 0, high: 100, normal: 200, low: 300 };

export function priorityOf(policy: Policy, item: { urgency: string; category: string }): number {
  return (URGENCY_RANK[item.urgency] ?? 300) + (policy.categoryRank[item.category] ?? 99);
}

export const iso = (ms: number) => new Date(ms).toISOString();
