import { suppress, type Rule } from '../context';

/**
 * Rule 9: at most the catalogued number of reminders, only when the first message was not
 * engaged with, never after fulfilment (the fulfilment rule has already stopped those).
 */
export const reminderRule: Rule = (ctx) => {
  const reminder = ctx.request.reminder;
  if (!reminder) return undefined;
  if (reminder.number > reminder.maxReminders) {
    return suppress(
      ctx,
      'reminder',
      'reminder_limit',
      `Not sent: "${ctx.request.intentType}" allows ${reminder.maxReminders} reminder(s).`,
    );
  }
  const first = ctx.ledger.decisions.find((d) => d.decisionId === reminder.of);
  if (!first || first.outcome !== 'approved') {
    return suppress(
      ctx,
      'reminder',
      'reminder_without_message',
      'Not sent: the message it would remind of never went out.',
    );
  }
  const thread = ctx.ledger.decisions.filter(
    (d) => d.decisionId === reminder.of || d.reminderOf === reminder.of,
  );
  if (thread.some((d) => d.engaged)) {
    return suppress(
      ctx,
      'reminder',
      'reminder_not_needed',
      'Not sent: the customer already engaged with the first message.',
    );
  }
  return undefined;
};
