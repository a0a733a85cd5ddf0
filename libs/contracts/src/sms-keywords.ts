/**
 * The words a customer may text back, as carriers require them to work: STOP (and its synonyms)
 * ends texts at once, START brings them back, HELP asks who is writing and how to stop.
 */
export type SmsKeyword = 'stop' | 'start' | 'help';

const KEYWORDS: Record<string, SmsKeyword> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  START: 'start',
  UNSTOP: 'start',
  HELP: 'help',
  INFO: 'help',
};

/** The keyword a reply is, if it is one (the whole text, any case, spaces around ignored). */
export function smsKeyword(text: string): SmsKeyword | undefined {
  return KEYWORDS[text.trim().toUpperCase()];
}
