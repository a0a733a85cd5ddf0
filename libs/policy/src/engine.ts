import { CHANNELS, type Channel } from '@onevoice/contracts';
import type { DecisionContext, Rule } from './context';
import type {
  ContactRequest,
  CustomerLedger,
  CustomerProfile,
  Decision,
  LedgerDecision,
} from './model';
import type { Policy } from './policy-config';
import { channelChoiceRule, fallbackChannels } from './rules/channel-choice.rule';
import { conflictRule } from './rules/conflict.rule';
import { consentRule } from './rules/consent.rule';
import { digestRule } from './rules/digest.rule';
import { expiryRule } from './rules/expiry.rule';
import { frequencyCapRule } from './rules/frequency-cap.rule';
import { fulfilmentRule } from './rules/fulfilment.rule';
import { oneChannelPerIntentRule } from './rules/one-channel-per-intent.rule';
import { quietFor, quietHoursRule } from './rules/quiet-hours.rule';
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

const ALL_CHANNELS: Channel[] = [...CHANNELS];

export interface DecisionInput {
  request: ContactRequest;
  ledger: CustomerLedger;
  profile: CustomerProfile;
  policy: Policy;
  /** The clock is an argument: the engine never reads one. */
  now: Date;
}

function sameIntentAs({ request, ledger }: DecisionInput): LedgerDecision[] {
  const found: LedgerDecision[] = [];
  for (const d of ledger.decisions) if (d.intentKey === request.intentKey) found.push(d);
  return found;
}

/** The context before the first rule: every channel possible, nothing said yet. */
export function startingContext(input: DecisionInput): DecisionContext {
  const now = input.now.getTime();
  // Every field set here, in one order: rules then see one object shape (fast property access).
  return {
    request: input.request,
    ledger: input.ledger,
    profile: input.profile,
    policy: input.policy,
    now,
    sameIntent: sameIntentAs(input),
    // Every channel to start with; the rules narrow it down and choose.
    candidates: ALL_CHANNELS.slice(),
    channel: undefined,
    keptForContinuity: false,
    sendAfter: now,
    sendBefore: undefined,
    mergedRequestIds: [],
    supersedes: [],
    displaces: [],
    reasons: [],
  };
}

/** Decides one contact request. Pure: the same input always gives the same decision. */
export function decide(input: DecisionInput): Decision {
  const ctx = startingContext(input);
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
    fallback: fallbackChannels(ctx).map((channel) => ({
      channel,
      quietHours: quietFor(ctx, channel),
    })),
    reasons: ctx.reasons,
  };
}
