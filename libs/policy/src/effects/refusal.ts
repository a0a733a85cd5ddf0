import type { Category, Channel } from '@onevoice/contracts';
import { optOutWords, refuses } from '../delivery/refusal';
import type { CustomerProfile, Reason } from '../model';

/** What of a profile says no: opt-outs, consents, do-not-disturb. */
export type Refusals = Pick<CustomerProfile, 'optOuts' | 'consents' | 'doNotDisturbUntil'>;

/**
 * Why the customer takes no `category` message on `channel`, in words ("opted out of sms"); none
 * when they do. Their opt-outs, and a consent the category needs on that channel and they never
 * gave (or took back).
 */
export function refusalFor(
  choices: Pick<Refusals, 'optOuts' | 'consents'>,
  consentRequired: Partial<Record<string, readonly string[]>>,
  channel: Channel,
  category: Category,
): string | undefined {
  const o = choices.optOuts.find((x) => refuses(x, { channel, category }));
  if (o) return `opted out of ${optOutWords(o)}`;
  if (
    consentRequired[category]?.includes(channel) &&
    !choices.consents.some((c) => c.channel === channel && c.purpose === category)
  )
    return `gave no consent to ${category} messages by ${channel}`;
  return undefined;
}

/** A request of the customer's as a refusal sees it: where it stands and where it would go. */
export interface OpenRequest {
  status: 'pending' | 'approved' | 'deferred' | 'merged' | 'suppressed';
  category: Category;
  /** The channel it was approved on, or held for (a displaced approval keeps its channel). */
  channel?: Channel | undefined;
  /** For a reminder, the channel of the message it follows up: it never moves to another. */
  followsUpOn?: Channel | undefined;
  /** When an approval is to go out, or a held request to be decided again. */
  at?: Date | undefined;
  /** Whether its message has gone out (or is due to have). */
  goneOut: boolean;
  /** Its latest decision, which requests merged into it name. */
  decisionId?: string | undefined;
  /** For a request merged into a digest: the digest's decision. */
  mergedInto?: string | undefined;
}

/** What is to become of a request that a refusal touches. */
export type RefusalEffect<R> =
  /** Decided again now, with the refusal: onto a channel still allowed, or not at all. */
  | { kind: 'redecide'; request: R; reason: Reason }
  /** Held until its time as before, no longer on the channel refused: decided then. */
  | { kind: 'hold'; request: R; reason: Reason }
  /** It can go on no other channel (a reminder) or at all (its category): called off. */
  | { kind: 'call-off'; request: R; reason: Reason };

/**
 * Whether `after` refuses anything `before` did not (a new opt-out, a consent withdrawn, a
 * do-not-disturb reaching further, as of `when`): only then can a refusal call anything off.
 */
export function refusesMore(before: Refusals | undefined, after: Refusals, when: Date): boolean {
  const { newOptOuts, withdrawn, dndLonger } = whatIsNew(before, after, when);
  return newOptOuts.length > 0 || withdrawn.length > 0 || dndLonger;
}

function whatIsNew(before: Refusals | undefined, after: Refusals, when: Date) {
  const was = before ?? { optOuts: [], consents: [] };
  const newOptOuts = after.optOuts.filter(
    (o) => !was.optOuts.some((p) => p.channel === o.channel && p.category === o.category),
  );
  const withdrawn = was.consents.filter(
    (c) => !after.consents.some((d) => d.channel === c.channel && d.purpose === c.purpose),
  );
  const dndUntil = after.doNotDisturbUntil?.getTime();
  const dndLonger =
    dndUntil !== undefined &&
    dndUntil > when.getTime() &&
    dndUntil > (was.doNotDisturbUntil?.getTime() ?? Number.NEGATIVE_INFINITY);
  return { newOptOuts, withdrawn, dndUntil, dndLonger };
}

/**
 * Refusal wins at every step (rule 1, when the customer says no after a decision): what the
 * customer refused between `before` and `after` — an opt-out of a channel, a category or both, a
 * consent withdrawn for a channel that needs one, do-not-disturb — and what becomes of each of
 * their requests that has not gone out and that it touches:
 *
 * - an approval waiting for its send window on a refused channel, or inside the new
 *   do-not-disturb, is decided again at once (the bill then goes by email);
 * - a held request is called off if its category is refused, or if it is a reminder whose
 *   message went on the refused channel (one intent, one channel); otherwise it stays held,
 *   without the refused channel, and is decided with the customer's choices when it is due;
 * - a request merged into a digest that has not gone out is called off if its category is
 *   refused (on the digest's channel, if it has one), and an approved digest is decided again
 *   without it.
 *
 * `when` is when OneVoice learnt of it; the reasons say which choice and when.
 */
export function calledOffByRefusal<R extends OpenRequest>(
  requests: readonly R[],
  before: Refusals | undefined,
  after: Refusals,
  consentRequired: Partial<Record<string, readonly string[]>>,
  when: Date,
): RefusalEffect<R>[] {
  const { newOptOuts, withdrawn, dndUntil, dndLonger } = whatIsNew(before, after, when);
  if (newOptOuts.length === 0 && withdrawn.length === 0 && !dndLonger) return [];

  const at = when.toISOString();
  const reason = (what: string, then: string): Reason => ({
    rule: 'consent',
    code: 'refused_after_decision',
    text: `${then}: the customer ${what} (${at}).`,
  });
  /** Why the customer no longer takes `category` on `channel`, if what they just said is why. */
  const refusal = (channel: Channel, category: Category): string | undefined =>
    refusalFor({ optOuts: newOptOuts, consents: [] }, {}, channel, category) ??
    (withdrawn.some((c) => c.channel === channel && c.purpose === category) &&
    consentRequired[category]?.includes(channel)
      ? `withdrew consent to ${category} messages by ${channel}`
      : undefined);

  const effects: RefusalEffect<R>[] = [];
  const redecided = new Set<R>();
  const redecide = (r: R, why: string) => {
    if (redecided.has(r)) return;
    redecided.add(r);
    effects.push({ kind: 'redecide', request: r, reason: reason(why, 'Decided again') });
  };
  // Members first: a digest decided again then goes without those called off.
  for (const r of requests) {
    if (r.status !== 'merged' || !r.mergedInto) continue;
    const host = requests.find((h) => h.decisionId === r.mergedInto);
    if (!host || host.goneOut || (host.status !== 'approved' && host.status !== 'deferred'))
      continue;
    const why = host.channel
      ? refusal(host.channel, r.category)
      : newOptOuts.some((o) => o.category === r.category && !o.channel)
        ? `opted out of ${r.category} messages`
        : undefined;
    if (!why) continue;
    effects.push({ kind: 'call-off', request: r, reason: reason(why, 'Called off') });
    if (host.status === 'approved') redecide(host, why);
  }
  for (const r of requests) {
    if (r.goneOut || redecided.has(r)) continue;
    const categoryOut = newOptOuts.find((o) => o.category === r.category && !o.channel);
    if (r.status === 'approved') {
      const why =
        (r.channel && refusal(r.channel, r.category)) ??
        (dndLonger && dndUntil !== undefined && r.at && r.at.getTime() < dndUntil
          ? `asked not to be disturbed until ${after.doNotDisturbUntil!.toISOString()}`
          : undefined);
      if (why) redecide(r, why);
    } else if (r.status === 'deferred') {
      if (categoryOut) {
        const why = `opted out of ${r.category} messages`;
        effects.push({ kind: 'call-off', request: r, reason: reason(why, 'Called off') });
      } else if (r.followsUpOn && refusal(r.followsUpOn, r.category)) {
        const why = refusal(r.followsUpOn, r.category)!;
        effects.push({ kind: 'call-off', request: r, reason: reason(why, 'Called off') });
      } else if (r.channel && refusal(r.channel, r.category)) {
        const why = refusal(r.channel, r.category)!;
        effects.push({
          kind: 'hold',
          request: r,
          reason: reason(why, `Held as before, not by ${r.channel}`),
        });
      }
    }
  }
  return effects;
}
