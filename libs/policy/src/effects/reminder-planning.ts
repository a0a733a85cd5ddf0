/** Which reminder a message is, if it is one. */
export interface ReminderOf {
  of: string;
  number: number;
}

/** The next reminder of a message that went out, to be decided by every rule when it comes due. */
export interface PlannedReminder {
  /** The decision of the first message: every reminder follows it up. */
  of: string;
  /** 1 for the first reminder, 2 for the second, … */
  number: number;
  maxReminders: number;
  due: Date;
}

/**
 * Rule 9, reminders, as planned: when a message goes out, its next reminder comes `afterMs`
 * later — while the intent allows another (`max`) and it would come before the message expires.
 * Whether it is then sent (not engaged with, not fulfilled) the engine decides when it is due.
 */
export function planReminder(input: {
  /** When the message went out. */
  sentAt: Date;
  /** The decision of the message that went out. */
  decisionId: string;
  /** Set when the message that went out was itself a reminder. */
  reminder?: ReminderOf;
  /** The intent's reminder policy: how many, and how long after each. */
  reminders?: { max: number; afterMs: number };
  expiresAt: Date;
}): PlannedReminder | undefined {
  const { reminders } = input;
  if (!reminders) return undefined;
  const number = (input.reminder?.number ?? 0) + 1;
  if (number > reminders.max) return undefined;
  const due = new Date(input.sentAt.getTime() + reminders.afterMs);
  if (due.getTime() >= input.expiresAt.getTime()) return undefined;
  return { of: input.reminder?.of ?? input.decisionId, number, maxReminders: reminders.max, due };
}
