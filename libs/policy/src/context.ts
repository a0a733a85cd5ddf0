import type { Channel, ReasonCode, RuleName } from '@onevoice/contracts';
import type {
  ContactRequest,
  CustomerLedger,
  CustomerProfile,
  Decision,
  LedgerDecision,
  Reason,
} from './model';
import type { Policy } from './policy-config';
import { wallClock } from './zoned-time';

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
  /**
   * Set by channel choice when the channel is the one the intent already used (an update, a
   * reminder): later rules keep it, and no fallback is offered — one intent, one channel.
   */
  keptForContinuity: boolean;
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

export function because(
  ctx: DecisionContext,
  rule: RuleName,
  code: ReasonCode,
  text: string,
): Reason {
  const reason = { rule, code, text };
  ctx.reasons.push(reason);
  return reason;
}

export function suppress(
  ctx: DecisionContext,
  rule: RuleName,
  code: ReasonCode,
  text: string,
): Decision {
  because(ctx, rule, code, text);
  return { outcome: 'suppressed', code, reasons: ctx.reasons };
}

export function defer(
  ctx: DecisionContext,
  rule: RuleName,
  code: ReasonCode,
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

const DAY_MS = 86_400_000;
/** 9999-12-31T23:59:59.999Z: the last moment `toISOString` writes with a four-digit year. */
const LAST_FOUR_DIGIT_MS = 253_402_300_799_999;
const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/**
 * `new Date(ms).toISOString()`, about three times as fast (reasons name times often): the
 * proleptic Gregorian date of a day count, worked out in 400-year eras of 146,097 days, each
 * year counted from 1 March so that a leap day falls at its end. Times before 1970 or after
 * 9999 go to `toISOString` itself.
 */
export function iso(ms: number): string {
  if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_MS)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  const inDay = ms - days * DAY_MS;
  const hours = Math.floor(inDay / 3_600_000);
  const minutes = Math.floor(inDay / 60_000) % 60;
  const seconds = Math.floor(inDay / 1000) % 60;
  // Days since 0000-03-01, then the era, the day of the era and the year of the era.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  // Months from March (0) to February (11), each start found by the 153-days-in-5-months rule.
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(inDay % 1000)}Z`;
}

/** `instant` as the customer's clock reads it: "2026-11-25 08:00". */
export function customerClock(instant: number, timeZone: string): string {
  const wall = iso(wallClock(instant, timeZone));
  return `${wall.slice(0, 10)} ${wall.slice(11, 16)}`;
}

/**
 * A time as an agent reading the timeline needs it: the customer's clock first (quiet hours are
 * theirs), then the instant — "2026-11-25 08:00 the customer’s time (Pacific/Auckland),
 * 2026-11-24T19:00:00.000Z".
 */
export function customerTime(instant: number, timeZone: string): string {
  return `${customerClock(instant, timeZone)} the customer’s time (${timeZone}), ${iso(instant)}`;
}
