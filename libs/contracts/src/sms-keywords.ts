/**
 * The words a customer may text back, as carriers require them to work (CTIA's messaging
 * principles, the keywords providers honour by default): STOP and its synonyms end texts at once,
 * START brings them back, HELP asks who is writing and how to stop.
 */
export type SmsKeyword = 'stop' | 'start' | 'help';

/** A refusal: recognised as the whole text, or as a word of a short one ("stop please"). */
const REFUSALS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'OPTOUT', 'REVOKE']);
/** Refusals only as the whole text: as words they mean something else ("cancel my booking"). */
const WHOLE_REFUSALS = new Set(['CANCEL', 'END', 'QUIT']);
/** Re-subscribing and asking for help: only as the whole text ("yes I paid" is no START). */
const WHOLE: Record<string, SmsKeyword> = {
  START: 'start',
  UNSTOP: 'start',
  YES: 'start',
  HELP: 'help',
  INFO: 'help',
};
/** A text longer than this many words is a message, not a keyword. */
const SHORT = 8;

/**
 * The keyword a reply is, if it is one. Case, punctuation and spacing are ignored, and "OPT OUT"
 * is OPTOUT. A refusal wins: "STOP", "Stop.", "stop please", "please STOP texting me" and "opt-out"
 * all stop texts, whatever else the short text says; the rest count only as the whole text.
 */
export function smsKeyword(text: string): SmsKeyword | undefined {
  const words = text
    .toUpperCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\bOPT\s+OUT\b/g, 'OPTOUT')
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (words.length === 0 || words.length > SHORT) return undefined;
  if (words.some((w) => REFUSALS.has(w))) return 'stop';
  if (words.length > 1) return undefined;
  const [word] = words as [string];
  return WHOLE_REFUSALS.has(word) ? 'stop' : WHOLE[word];
}

/**
 * The source of inbound texts as the SMS provider reported them (the dispatcher's inbound path):
 * the only one whose STOP, START and HELP the profiler acts on.
 */
export const SMS_INBOUND_SOURCE = 'onevoice/dispatcher';
