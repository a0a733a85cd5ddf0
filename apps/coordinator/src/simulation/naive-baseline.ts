import type { Category, Channel, PreferenceChangedData, Touchpoint } from '@onevoice/contracts';
import {
  applyPreferenceChange,
  channelOfTouchpoint,
  durationMs,
  noPreferences,
  refusalOf,
  type ExplicitPreferences,
} from '@onevoice/policy';
import type { CustomerOutcome, GateSetup, Send } from './customer-world';
import { emptyOutcome, refusedAtSend } from './customer-world';
import type { DepartmentEvent, SimCustomer } from './population';

/**
 * The same period without OneVoice, as companies run today: every department sends every intent
 * the moment it wants to, on every one of its default channels, with its reminders unless the
 * thing was done, and every survey it asks for on email and on the channel of the interaction.
 * It is kept fair: each department honours the customer's opt-outs and skips an address it knows
 * does not work, so what OneVoice saves is not counted from refusals or bounces.
 */
export function naiveOutcome(
  setup: GateSetup,
  customer: SimCustomer,
  events: readonly DepartmentEvent[],
  /** Where the period ends: reminders planned after it are not counted. */
  end: number,
): CustomerOutcome {
  const { catalogue } = setup;
  const outcome = emptyOutcome(customer);
  let prefs: ExplicitPreferences = noPreferences();
  const done = new Map<string, number>();
  const openCollections = new Map<string, number>();
  const planned: Planned[] = [];

  const sendOn = (
    at: number,
    channels: readonly Channel[],
    what: Omit<Send, 'at' | 'channel' | 'members' | 'refused'>,
  ): Send[] => {
    const sends: Send[] = [];
    for (const channel of channels) {
      if (customer.unreachable.has(channel)) continue;
      const message = { channel, category: what.category };
      if (prefs.optOuts.length > 0 && refusalOf(prefs.optOuts, message)) continue;
      sends.push({
        at,
        channel,
        category: what.category,
        urgency: what.urgency,
        intentType: what.intentType,
        intentKey: what.intentKey,
        source: what.source,
        members: 1,
        refused: refusedAtSend(prefs, setup.policy, channel, what.category),
      });
    }
    return sends;
  };

  for (const e of events) {
    const at = Date.parse(e.time);
    // What was planned before this event (a reminder) goes first, unless done by then.
    flush(planned, at, outcome.sends);
    const intent = catalogue.intents[e.type];
    if (intent) {
      const key = String(e.data['intentKey']);
      if (done.has(key)) continue;
      const notBefore =
        typeof e.data['notBefore'] === 'string' ? Date.parse(e.data['notBefore']) : at;
      const when = Math.max(at, notBefore);
      const what = {
        category: intent.category as Category,
        urgency: intent.urgency,
        intentType: e.type,
        intentKey: key,
        source: e.source,
      };
      if (intent.urgency === 'critical' && !outcome.critical.has(key))
        outcome.critical.set(key, {
          receivedAt: at,
          expiresAt: at + durationMs(intent.lifetime),
          sentAt: when,
        });
      const replyTo = (e.data['replyTo'] as { channel?: string } | undefined)?.channel;
      outcome.sends.push(
        ...sendOn(when, intent.defaultChannels, what).map((s) =>
          s.channel === replyTo ? { ...s, inKind: true } : s,
        ),
      );
      const reminders = intent.reminders;
      if (reminders) {
        const expires = at + durationMs(intent.lifetime);
        for (let n = 1; n <= reminders.max; n++) {
          const due = when + n * durationMs(reminders.after);
          if (due >= expires) break;
          plan(planned, {
            at: due,
            make: () => (done.has(key) ? [] : sendOn(due, intent.defaultChannels, what)),
          });
        }
      }
      continue;
    }
    switch (e.type) {
      case 'preference.changed':
        prefs = applyPreferenceChange(prefs, e.data as PreferenceChangedData, {
          at: new Date(at),
          via: 'web',
          source: e.source,
        }).prefs;
        break;
      case 'interaction.fulfilled':
        done.set(String(e.data['intentKey']), at);
        break;
      case 'interaction.payment':
        if (typeof e.data['fulfils'] === 'string') done.set(e.data['fulfils'], at);
        break;
      case 'case.opened':
        if (e.data['kind'] === 'collections') openCollections.set(String(e.data['caseId']), at);
        break;
      case 'case.closed': {
        const opened = openCollections.get(String(e.data['caseId']));
        if (opened !== undefined) {
          outcome.collections.push([opened, at]);
          openCollections.delete(String(e.data['caseId']));
        }
        break;
      }
      case 'survey.requested': {
        const survey = catalogue.intents['survey.invite'];
        const own = channelOfTouchpoint(e.data['channel'] as Touchpoint);
        const channels = [...(survey?.defaultChannels ?? ['email'])];
        if (own && own !== 'voice' && !channels.includes(own)) channels.push(own);
        outcome.sends.push(
          ...sendOn(at, channels, {
            category: 'survey',
            urgency: survey?.urgency ?? 'low',
            intentType: 'survey.invite',
            intentKey: `survey:${String(e.data['interactionId'])}`,
            source: e.source,
          }),
        );
        break;
      }
    }
  }
  flush(planned, end, outcome.sends);
  for (const [, opened] of openCollections) outcome.collections.push([opened, end]);
  outcome.sends.sort((a, b) => a.at - b.at);
  return outcome;
}

type Planned = { at: number; make: () => Send[] };

/** Keeps `planned` in time order. */
function plan(planned: Planned[], p: Planned): void {
  let i = planned.length;
  while (i > 0 && planned[i - 1]!.at > p.at) i--;
  planned.splice(i, 0, p);
}

function flush(planned: Planned[], until: number, out: Send[]): void {
  while (planned.length > 0 && planned[0]!.at < until) out.push(...planned.shift()!.make());
}
