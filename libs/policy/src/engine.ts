import { CHANNELS } from '@onevoice/contracts';
import type { DecisionContext, Rule } from './context';
import type { ContactRequest, CustomerLedger, CustomerProfile, Decision } from './model';
import type { Policy } from './policy-config';
import { channelChoiceRule } from './rules/channel-choice.rule';
import { conflictRule } from './rules/conflict.rule';
import { consentRule } from './rules/consent.rule';
import { digestRule } from './rules/digest.rule';
import { expiryRule } from './rules/expiry.rule';
import { frequencyCapRule } from './rules/frequency-cap.rule';
import { fulfilmentRule } from './rules/fulfilment.rule';
import { oneChannelPerIntentRule } from './rules/one-channel-per-intent.rule';
import { quietHoursRule } from './rules/quiet-hours.rule';
import { reminderRule } from './rules/reminder.rule';
import { targetingRule } from './rules/targeting.rule';

/**
 * The order the one-voice rules run in: what can end a request outright first (expired,
 * fulfilled, not targeted, in conflict, opted out, a duplicate), then where it can go, then when.
 */
export const RULES: readonly Rule[] = [
  expiryRule,
  fulfilmentRule,
  targetingRule,
  conflictRule,
  consentRule,
  oneChannelPerIntentRule,
  reminderRule,
  channelChoiceRule,
  digestRule,
  frequencyCapRule,
  quietHoursRule,
];

export interface DecisionInput {
  request: ContactRequest;
  ledger: CustomerLedger;
  profile: CustomerProfile;
  policy: Policy;
  /** The clock is an argument: the engine never reads one. */
  now: Date;
}

/** Decides one contact request. Pure: the same input always gives the same decision. */
export function decide(input: DecisionInput): Decision {
  const now = input.now.getTime();
  const ctx: DecisionContext = {
    ...input,
    now,
    // Every channel to start with; the rules narrow it down and choose.
    candidates: [...CHANNELS],
    sendAfter: now,
    mergedRequestIds: [],
    supersedes: [],
    displaces: [],
    reasons: [],
  };
  for (const rule of RULES) {
    const decided = rule(ctx);
    if (decided) return decided;
  }
  return {
    outcome: 'approved',
    channel: ctx.channel!,
    sendAfter: new Date(ctx.sendAfter),
    sendBefore: new Date(ctx.sendBefore ?? input.request.expiresAt.getTime()),
    mergedRequestIds: ctx.mergedRequestIds,
    supersedes: ctx.supersedes,
    displaces: ctx.displaces,
    reasons: ctx.reasons,
  };
}
