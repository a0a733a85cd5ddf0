// Builders for the policy specs (not exported from the library).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { DecisionContext } from './context';
import { startingContext } from './engine';
import type { ContactRequest, CustomerLedger, CustomerProfile, LedgerDecision } from './model';
import { compilePolicy, policyConfigSchema, type Policy } from './policy-config';

export const shippedPolicy: Policy = compilePolicy(
  policyConfigSchema.parse(
    parse(readFileSync(resolve(__dirname, '../../../config/policy.yaml'), 'utf8')),
  ),
);

/** 2026-11-23 10:00 in Berlin (09:00 UTC): inside everyone's allowed hours. */
export const NOW = new Date('2026-11-23T09:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function request(over: Partial<ContactRequest> = {}): ContactRequest {
  return {
    requestId: 'req-1',
    source: 'billing',
    intentType: 'billing.payment_due',
    intentKey: 'bill:2026-12',
    category: 'billing',
    urgency: 'high',
    defaultChannels: ['voice', 'email', 'sms'],
    receivedAt: NOW,
    expiresAt: new Date(NOW.getTime() + 14 * DAY),
    ...over,
  };
}

export function profile(over: Partial<CustomerProfile> = {}): CustomerProfile {
  return { timeZone: 'Europe/Berlin', optOuts: [], consents: [], ...over };
}

export function ledger(over: Partial<CustomerLedger> = {}): CustomerLedger {
  return { decisions: [], openCases: [], fulfilledIntents: [], ...over };
}

export function sent(over: Partial<LedgerDecision> = {}): LedgerDecision {
  return {
    decisionId: 'd-old',
    requestId: 'req-old',
    intentKey: 'other:1',
    category: 'service',
    urgency: 'normal',
    outcome: 'approved',
    channel: 'email',
    decidedAt: new Date(NOW.getTime() - 2 * HOUR),
    at: new Date(NOW.getTime() - 2 * HOUR),
    sent: true,
    ...over,
  };
}

/**
 * A decision context as the engine builds it before the first rule, for calling one rule on its
 * own; `over` sets what the earlier rules would have (a channel, a later sendAfter).
 */
export function context(
  input: {
    request?: ContactRequest;
    ledger?: CustomerLedger;
    profile?: CustomerProfile;
    policy?: Policy;
    now?: Date;
  } = {},
  over: Partial<DecisionContext> = {},
): DecisionContext {
  return {
    ...startingContext({
      request: input.request ?? request(),
      ledger: input.ledger ?? ledger(),
      profile: input.profile ?? profile(),
      policy: input.policy ?? shippedPolicy,
      now: input.now ?? NOW,
    }),
    ...over,
  };
}
