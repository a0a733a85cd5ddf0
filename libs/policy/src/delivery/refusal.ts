import type { Category, Channel } from '@onevoice/contracts';

/** An opt-out as a profile carries it: a channel, a category, or a channel for one category. */
export interface OptOut {
  channel?: Channel;
  category?: Category;
}

/**
 * Whether an opt-out refuses a message on `channel` of `category`: an opt-out of a channel refuses
 * every message on it, of a category every message of it, of a channel for a category only that
 * pair. Rule 1 reads it when deciding, the dispatcher when sending.
 */
export function refuses(
  o: OptOut,
  message: { channel: Channel; category?: Category | undefined },
): boolean {
  return (
    (o.channel !== undefined || o.category !== undefined) &&
    (o.channel === undefined || o.channel === message.channel) &&
    (o.category === undefined || o.category === message.category)
  );
}

/** An opt-out in words, after "opted out of": "sms", "promotion messages", "promotion messages by sms". */
export function optOutWords(o: OptOut): string {
  return o.channel && o.category
    ? `${o.category} messages by ${o.channel}`
    : (o.channel ?? `${o.category} messages`);
}

/**
 * What the customer refused that this message would break, in words; none when nothing. Checked
 * by the dispatcher at the moment it calls a provider, against the latest profile it has: a
 * message approved before an opt-out is never sent after it (rule 1 at send time).
 */
export function refusalOf(
  optOuts: readonly OptOut[],
  message: {
    channel: Channel;
    category?: Category | undefined;
    /** The answer to a keyword the customer texted (STOP, START, HELP): carriers require it. */
    answersKeyword?: boolean;
  },
): string | undefined {
  if (message.answersKeyword) return undefined;
  const o = optOuts.find((x) => refuses(x, message));
  return o && `the customer opted out of ${optOutWords(o)}`;
}

/**
 * Whether the customer's STOP (or START) is recorded in what they refused: texts opted out
 * altogether (or not). The answer that confirms it is sent only then — never "you're
 * unsubscribed" before OneVoice has them unsubscribed.
 */
export function keywordRecorded(keyword: 'stop' | 'start', optOuts: readonly OptOut[]): boolean {
  const textsOut = optOuts.some((o) => o.channel === 'sms' && o.category === undefined);
  return keyword === 'stop' ? textsOut : !textsOut;
}

/**
 * Until when a message due now waits for the customer's do-not-disturb (read at send time, from
 * the latest profile): a critical message, or the answer to the customer's own keyword, does not.
 */
export function heldUntil(
  doNotDisturbUntil: Date | undefined,
  message: { urgency?: string | undefined; answersKeyword?: boolean },
  now: Date,
): Date | undefined {
  if (!doNotDisturbUntil || doNotDisturbUntil.getTime() <= now.getTime()) return undefined;
  if (message.urgency === 'critical' || message.answersKeyword) return undefined;
  return doNotDisturbUntil;
}
