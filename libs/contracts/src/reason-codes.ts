import { z } from 'zod';

/**
 * The rules whose names a decision's reasons carry: the one-voice gate's (libs/policy) and the
 * survey gate's (apps/survey-throttler). docs/design.md §4 says what each one does and where it
 * lives. Names are wire values: never renamed once shipped.
 */
export const RULE_NAMES = [
  // The one-voice gate, in the order the engine asks them.
  'expiry',
  'fulfilment',
  'supersession',
  'targeting',
  'conflict',
  'consent',
  'one-channel-per-intent',
  'reminder',
  'channel-choice',
  'digest',
  'frequency-cap',
  'priority-arbitration',
  'quiet-hours',
  // The survey gate.
  'known-survey-type',
  'survey-expiry',
  'sampling',
  'one-per-interaction',
  'survey-window',
  'open-case',
  'survey-priority',
  'settle',
  'pending-contact',
  'after-contact',
  'survey-channel',
] as const;
export const ruleNameSchema = z.enum(RULE_NAMES);
export type RuleName = z.infer<typeof ruleNameSchema>;

interface ReasonCodeEntry {
  /** The rules that give this code. */
  readonly rules: readonly RuleName[];
  /** What it means, in a sentence a contact-centre agent reads (a decision's own text adds the particulars). */
  readonly says: string;
}

/**
 * Every reason code a decision may carry, with the rules that give it and what it tells an
 * agent. The decision schema on `ov.decisions.v1` accepts these and no others, so an unknown code
 * cannot be emitted. Codes are wire values: add, never rename; a consumer must know a new code
 * before a producer emits it (deploy consumers first).
 */
export const REASON_CODES = {
  // Expiry and timing
  expired: {
    rules: ['expiry', 'quiet-hours', 'survey-expiry'],
    says: 'Not sent: its moment passed, or would pass before it was allowed to go out.',
  },
  not_before: {
    rules: ['expiry'],
    says: 'Waits for the earliest time its sender set for it (notBefore).',
  },
  // Fulfilment and supersession
  fulfilled: {
    rules: ['fulfilment'],
    says: 'Not sent, or called off: what it asked for is already done (the bill was paid).',
  },
  superseded: {
    rules: ['supersession'],
    says: 'Not sent, or called off: a newer update of the same message replaces it.',
  },
  supersedes_update: {
    rules: ['supersession'],
    says: 'Replaces an earlier update of the same message that had not gone out yet.',
  },
  // Targeting and conflicts
  not_affected: {
    rules: ['targeting'],
    says: 'Not sent: the customer is not among those the message is for (no outage affects them).',
  },
  conflict_complaint: {
    rules: ['conflict'],
    says: 'Not sent: the customer has an open complaint, and this kind of message must wait for it to close.',
  },
  conflict_collections: {
    rules: ['conflict'],
    says: 'Not sent: the customer is in collections, and this kind of message is not sent then.',
  },
  conflict_outage: {
    rules: ['conflict'],
    says: 'Not sent: an outage affects the customer, and this kind of message is not sent then.',
  },
  conflict_service: {
    rules: ['conflict'],
    says: 'Not sent: the customer has an open service case, and this kind of message is not sent then.',
  },
  // Consent
  opted_out_category: {
    rules: ['consent'],
    says: 'Not sent: the customer opted out of this category of message.',
  },
  channels_excluded: {
    rules: ['consent'],
    says: 'Some channels are out: the customer opted out of them, or gave no consent they need.',
  },
  refused_after_decision: {
    rules: ['consent'],
    says: 'Decided again, held without a channel, or called off: the customer refused it (opted out, withdrew consent, asked not to be disturbed) after it was decided but before it went out.',
  },
  // One message per intent
  merged_duplicate: {
    rules: ['one-channel-per-intent'],
    says: 'Merged into the same message, already waiting to go out.',
  },
  duplicate_intent: {
    rules: ['one-channel-per-intent'],
    says: 'Not sent: the customer already got this message.',
  },
  // Reminders
  reminder_limit: {
    rules: ['reminder'],
    says: 'Not sent: the message has had all the reminders it may have.',
  },
  reminder_without_message: {
    rules: ['reminder'],
    says: 'Not sent: the message it would remind of never went out.',
  },
  reminder_not_needed: {
    rules: ['reminder'],
    says: 'Not sent: the customer already engaged with the first message.',
  },
  // Channel choice
  reminder_same_channel: {
    rules: ['channel-choice'],
    says: 'A reminder goes on the channel of the message it follows up.',
  },
  same_channel_as_before: {
    rules: ['channel-choice'],
    says: 'On the channel where the customer already heard about this: one message, one channel.',
  },
  channel_no_longer_allowed: {
    rules: ['channel-choice'],
    says: 'Not sent: the channel this message already used is no longer allowed, and it never moves to a second one.',
  },
  reply_in_kind: {
    rules: ['channel-choice'],
    says: 'Answers in kind: on the channel the customer contacted us on.',
  },
  preferred_for_category: {
    rules: ['channel-choice'],
    says: 'On the channel the customer asked for, for this category of message.',
  },
  preferred_channel: {
    rules: ['channel-choice', 'survey-channel'],
    says: 'On the customer’s preferred channel.',
  },
  inferred_channel: {
    rules: ['channel-choice'],
    says: 'On the channel the customer’s behaviour shows they prefer, with enough confidence.',
  },
  intent_default_channel: {
    rules: ['channel-choice'],
    says: 'On the usual channel for this message, with nothing known against it.',
  },
  no_reachable_channel: {
    rules: ['channel-choice'],
    says: 'Not sent: no channel the customer allows can carry it.',
  },
  // Digest
  merged_into_digest: {
    rules: ['digest'],
    says: 'Merged into a digest waiting to go out, to go as one message.',
  },
  held_for_digest: {
    rules: ['digest'],
    says: 'Held for the digest window, so that other low-urgency messages can go out with it.',
  },
  digest_skipped: {
    rules: ['digest'],
    says: 'Sent on its own: it would expire before the digest goes out.',
  },
  // Contact budgets and priority
  critical_uncapped: {
    rules: ['frequency-cap'],
    says: 'Critical: counted against the contact budget, but never held back by it.',
  },
  transactional_uncapped: {
    rules: ['frequency-cap'],
    says: 'About something the customer did or asked for: counted against the contact budget, never held back by it.',
  },
  cap_reached: {
    rules: ['frequency-cap'],
    says: 'A contact budget is used up: it waits for the window to free up, or is not sent if it would expire first.',
  },
  deferred_for_budget: {
    rules: ['frequency-cap'],
    says: 'Deferred to when the contact budget allows it.',
  },
  takes_budget: {
    rules: ['priority-arbitration'],
    says: 'More urgent: takes the contact budget from a less urgent message that had not gone out yet.',
  },
  displaced: {
    rules: ['priority-arbitration'],
    says: 'Moved back: a more urgent message took its contact budget; it is decided again.',
  },
  // Quiet hours
  quiet_hours: {
    rules: ['quiet-hours'],
    says: 'Held until the customer’s quiet hours end, in their time zone.',
  },
  do_not_disturb: {
    rules: ['quiet-hours'],
    says: 'Held: the customer asked not to be disturbed until then.',
  },
  no_allowed_time: {
    rules: ['quiet-hours'],
    says: 'Not sent: the customer’s quiet hours leave no time for this channel.',
  },
  critical_silent_channel: {
    rules: ['quiet-hours'],
    says: 'Critical, inside quiet hours: sent at once on a channel that does not disturb.',
  },
  // The survey gate
  unknown_survey_type: {
    rules: ['known-survey-type'],
    says: 'Not sent: the survey policy does not know this survey type.',
  },
  not_sampled: {
    rules: ['sampling'],
    says: 'Not sent: this survey asks only a sample of customers, and this customer is not in it.',
  },
  interaction_already_surveyed: {
    rules: ['one-per-interaction'],
    says: 'Not sent: the interaction already has a survey.',
  },
  survey_window: {
    rules: ['survey-window'],
    says: 'Not sent: the customer was asked for feedback recently; one survey per window.',
  },
  case_open: {
    rules: ['open-case'],
    says: 'Not sent: no survey while the customer has an open case.',
  },
  lower_priority: {
    rules: ['survey-priority'],
    says: 'Not sent: another survey for the same customer matters more.',
  },
  settling: {
    rules: ['settle'],
    says: 'Held briefly for other surveys about the same customer to arrive, so that only one is asked.',
  },
  contact_pending: {
    rules: ['pending-contact'],
    says: 'Held: another message to the customer has not gone out yet; the survey comes after it.',
  },
  contacted_today: {
    rules: ['after-contact'],
    says: 'Held: the customer already heard from us today.',
  },
  interaction_channel: {
    rules: ['survey-channel'],
    says: 'Asked on the channel where the interaction took place.',
  },
} as const satisfies Record<string, ReasonCodeEntry>;

export type ReasonCode = keyof typeof REASON_CODES;
export const reasonCodeSchema = z.enum(Object.keys(REASON_CODES) as [ReasonCode, ...ReasonCode[]], {
  error: (issue) =>
    `"${String(issue.input)}" is not a reason code of the catalogue (libs/contracts/src/reason-codes.ts)`,
});

/** What a reason code tells an agent. */
export function reasonCodeMeaning(code: ReasonCode): string {
  return REASON_CODES[code].says;
}
