import type { IntentCatalogue } from '@onevoice/contracts';
import { durationMs, planReminder, type PlannedReminder } from '@onevoice/policy';
import type { StoredRequest } from './ledger.types';

/**
 * The next reminder of a request whose message went out at `sentAt` (decision `decisionId`), as
 * its intent's reminder policy plans it; none when the intent has none left to send.
 */
export function nextReminder(
  catalogue: IntentCatalogue,
  request: StoredRequest,
  decisionId: string,
  sentAt: Date,
): PlannedReminder | undefined {
  const reminders = catalogue.intents[request.intentType]?.reminders;
  return planReminder({
    sentAt,
    decisionId,
    ...(request.reminder ? { reminder: request.reminder } : {}),
    ...(reminders
      ? { reminders: { max: reminders.max, afterMs: durationMs(reminders.after) } }
      : {}),
    expiresAt: new Date(request.expiresAt),
  });
}

/** A planned reminder's request key: one per reminder of a message, however often it is planned. */
export function reminderKey(plan: PlannedReminder): string {
  return `reminder:${plan.of}:${plan.number}`;
}

/** The planned reminder: the request again, as the coordinator's own, due at `plan.due`. */
export function reminderRequest(request: StoredRequest, plan: PlannedReminder): StoredRequest {
  return {
    ...request,
    requestKey: reminderKey(plan),
    requestId: `reminder-${plan.number}-of-${request.requestId}`,
    source: 'onevoice/coordinator',
    receivedAt: plan.due.toISOString(),
    reminder: {
      of: plan.of,
      number: plan.number,
      maxReminders: plan.maxReminders,
      department: request.reminder?.department ?? request.source,
    },
  };
}
