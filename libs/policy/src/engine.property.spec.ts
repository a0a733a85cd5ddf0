import type { CaseKind, Category, Channel, Urgency } from '@onevoice/contracts';
import fc from 'fast-check';
import { decide } from './engine';
import type {
  ContactRequest,
  CustomerLedger,
  CustomerProfile,
  Decision,
  LedgerDecision,
  Reason,
} from './model';
import { clockWindow } from './policy-config';
import { DAY, NOW, shippedPolicy as policy } from './test-fixtures';
import { isQuiet, localMinutes } from './zoned-time';

/**
 * Random histories for random customers in random time zones (DST changes included: the runs
 * span late March and late October), decided the way the coordinator does: each request once,
 * deferred ones again when due, displaced ones again, superseded ones dropped. The invariants of
 * docs/design.md §10 hold in every run.
 */

const INTENTS: {
  type: string;
  category: Category;
  urgency: Urgency;
  channels: Channel[];
  lifetimeDays: number;
  reminders: number;
}[] = [
  {
    type: 'billing.payment_due',
    category: 'billing',
    urgency: 'high',
    channels: ['voice', 'email', 'sms'],
    lifetimeDays: 14,
    reminders: 2,
  },
  {
    type: 'service.appointment_due',
    category: 'service',
    urgency: 'normal',
    channels: ['email', 'sms'],
    lifetimeDays: 21,
    reminders: 1,
  },
  {
    type: 'network.outage',
    category: 'outage',
    urgency: 'critical',
    channels: ['sms', 'push', 'email'],
    lifetimeDays: 2,
    reminders: 0,
  },
  {
    type: 'loyalty.offer',
    category: 'promotion',
    urgency: 'low',
    channels: ['email', 'sms'],
    lifetimeDays: 14,
    reminders: 0,
  },
  {
    type: 'account.change_notice',
    category: 'account',
    urgency: 'low',
    channels: ['email', 'letter'],
    lifetimeDays: 30,
    reminders: 0,
  },
  {
    type: 'survey.invite',
    category: 'survey',
    urgency: 'low',
    channels: ['email'],
    lifetimeDays: 7,
    reminders: 0,
  },
];
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Sydney',
  'Pacific/Chatham',
  'UTC',
];
const STARTS = [
  NOW.getTime(),
  Date.parse('2026-03-27T12:00:00Z'),
  Date.parse('2026-10-23T12:00:00Z'),
];
const CHANNELS: Channel[] = ['email', 'sms', 'push', 'voice', 'letter', 'in_app', 'chat'];

type Action =
  | { kind: 'request'; intent: number; key: number; update?: number; after: number }
  | { kind: 'fulfil'; key: number; intent: number; after: number }
  | { kind: 'case'; open: boolean; caseKind: CaseKind; after: number }
  | { kind: 'optOut'; channel?: Channel; category?: Category; after: number }
  | { kind: 'quiet'; start: number; end: number; after: number }
  | { kind: 'prefer'; channel: Channel; after: number }
  | { kind: 'engage'; after: number };

const minutes = fc.integer({ min: 0, max: 36 * 60 });
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      intent: fc.nat(INTENTS.length - 1),
      key: fc.nat(3),
      update: fc.option(fc.nat(3), { nil: undefined }),
      after: minutes,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fulfil' as const),
      intent: fc.nat(INTENTS.length - 1),
      key: fc.nat(3),
      after: minutes,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('case' as const),
      open: fc.boolean(),
      caseKind: fc.constantFrom<CaseKind>('complaint', 'collections', 'outage', 'service'),
      after: minutes,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('optOut' as const),
      channel: fc.option(fc.constantFrom(...CHANNELS), { nil: undefined }),
      category: fc.option(fc.constantFrom<Category>('promotion', 'survey', 'billing'), {
        nil: undefined,
      }),
      after: minutes,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('quiet' as const),
      start: fc.integer({ min: 18, max: 23 }),
      end: fc.integer({ min: 5, max: 10 }),
      after: minutes,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('engage' as const), after: minutes }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('prefer' as const),
      channel: fc.constantFrom(...CHANNELS),
      after: minutes,
    }),
  },
);

interface Record_ {
  request: ContactRequest;
  decisions: { decision: Decision; at: number; profile: CustomerProfile }[];
  status: 'open' | 'approved' | 'suppressed' | 'merged' | 'superseded';
}

function simulate(zone: string, start: number, actions: Action[]) {
  let now = start;
  let profile: CustomerProfile = { timeZone: zone, optOuts: [], consents: [] };
  const cases = new Map<string, CaseKind>();
  const fulfilled: { intentKey: string; at: Date }[] = [];
  const engagements: { decisionId: string; reminderOf?: string; at: number }[] = [];
  const records = new Map<string, Record_>();
  const entries = new Map<string, LedgerDecision>(); // by request id, the latest decision
  let seq = 0;

  const ledger = (): CustomerLedger => ({
    decisions: [...entries.values()].map((d) => ({
      ...d,
      sent: d.outcome === 'approved' && d.at!.getTime() <= now,
    })),
    openCases: [...cases].map(([caseId, kind]) => ({ caseId, kind })),
    fulfilledIntents: fulfilled,
  });

  const run = (rec: Record_) => {
    // Decided again after a hold, as the coordinator marks it.
    const request = rec.decisions.length > 0 ? { ...rec.request, heldBefore: true } : rec.request;
    const decision = decide({
      request,
      ledger: ledger(),
      profile,
      policy,
      now: new Date(now),
    });
    rec.decisions.push({ decision, at: now, profile });
    const id = `d-${rec.request.requestId}`;
    const base = {
      decisionId: id,
      requestId: rec.request.requestId,
      intentKey: rec.request.intentKey,
      category: rec.request.category,
      urgency: rec.request.urgency,
      decidedAt: new Date(now),
      update: rec.request.update,
      ...(rec.request.reminder ? { reminderOf: rec.request.reminder.of } : {}),
    };
    switch (decision.outcome) {
      case 'approved':
        rec.status = 'approved';
        entries.set(rec.request.requestId, {
          ...base,
          outcome: 'approved',
          channel: decision.channel,
          at: decision.sendAfter,
        });
        for (const s of decision.supersedes) supersede(s);
        for (const d of decision.displaces) displace(d);
        break;
      case 'deferred':
        entries.set(rec.request.requestId, { ...base, outcome: 'deferred', at: decision.until });
        break;
      case 'merged':
        rec.status = 'merged';
        entries.delete(rec.request.requestId);
        break;
      case 'suppressed':
        rec.status = 'suppressed';
        entries.delete(rec.request.requestId);
        break;
    }
  };
  const supersede = (decisionId: string) => {
    const requestId = decisionId.slice(2);
    entries.delete(requestId);
    const rec = records.get(requestId)!;
    rec.status = 'superseded';
    // The coordinator takes it back with a decision of its own.
    const reasons: Reason[] = [
      { rule: 'supersession', code: 'superseded', text: 'Replaced by a newer update.' },
    ];
    rec.decisions.push({
      decision: { outcome: 'suppressed', code: 'superseded', reasons },
      at: now,
      profile,
    });
  };
  const displace = (decisionId: string) => {
    const requestId = decisionId.slice(2);
    const e = entries.get(requestId)!;
    entries.set(requestId, { ...e, outcome: 'deferred' });
    records.get(requestId)!.status = 'open';
  };
  // As the coordinator does when a message has gone out: its next reminder, held until due.
  const planned = new Set<string>();
  const planReminders = (until: number) => {
    for (const e of [...entries.values()]) {
      if (e.outcome !== 'approved' || e.at!.getTime() > until || planned.has(e.decisionId))
        continue;
      planned.add(e.decisionId);
      const rec = records.get(e.requestId)!;
      const intent = INTENTS.find((i) => i.type === rec.request.intentType)!;
      const number = (rec.request.reminder?.number ?? 0) + 1;
      const dueAt = e.at!.getTime() + DAY;
      if (intent.reminders === 0 || number > intent.reminders) continue;
      if (dueAt >= rec.request.expiresAt.getTime()) continue;
      const of = rec.request.reminder?.of ?? e.decisionId;
      const requestId = `rm${number}-${of}`;
      const request: ContactRequest = {
        ...rec.request,
        requestId,
        receivedAt: new Date(dueAt),
        reminder: { of, number, maxReminders: intent.reminders },
      };
      records.set(requestId, { request, decisions: [], status: 'open' });
      entries.set(requestId, {
        decisionId: `d-${requestId}`,
        requestId,
        intentKey: request.intentKey,
        category: request.category,
        urgency: request.urgency,
        decidedAt: new Date(now),
        outcome: 'deferred',
        at: new Date(dueAt),
        reminderOf: of,
      });
    }
  };
  const due = () => {
    for (let guard = 0; guard < 1000; guard++) {
      const next = [...entries.values()]
        .filter((e) => e.outcome === 'deferred' && e.at!.getTime() <= now)
        .sort((a, b) => a.at!.getTime() - b.at!.getTime())[0];
      if (!next) return;
      run(records.get(next.requestId)!);
    }
  };

  for (const a of actions) {
    const target = now + a.after * 60_000;
    // Deferred requests come due as time passes; messages that went out get their reminders.
    for (;;) {
      planReminders(target);
      const next = [...entries.values()]
        .filter((e) => e.outcome === 'deferred' && e.at!.getTime() <= target)
        .sort((x, y) => x.at!.getTime() - y.at!.getTime())[0];
      if (!next) break;
      now = Math.max(now, next.at!.getTime());
      due();
    }
    now = target;
    switch (a.kind) {
      case 'request': {
        const intent = INTENTS[a.intent]!;
        const requestId = `r${seq++}`;
        const request: ContactRequest = {
          requestId,
          source: 'dept',
          intentType: intent.type,
          intentKey: `${intent.type}:${a.key}`,
          category: intent.category,
          urgency: intent.urgency,
          defaultChannels: intent.channels,
          receivedAt: new Date(now),
          expiresAt: new Date(now + intent.lifetimeDays * DAY),
          ...(a.update !== undefined ? { update: a.update } : {}),
        };
        records.set(requestId, { request, decisions: [], status: 'open' });
        run(records.get(requestId)!);
        break;
      }
      case 'fulfil':
        fulfilled.push({ intentKey: `${INTENTS[a.intent]!.type}:${a.key}`, at: new Date(now) });
        break;
      case 'case':
        if (a.open) cases.set(`case-${a.caseKind}`, a.caseKind);
        else cases.delete(`case-${a.caseKind}`);
        break;
      case 'optOut':
        if (a.channel || a.category)
          profile = {
            ...profile,
            optOuts: [...profile.optOuts, { channel: a.channel, category: a.category }],
          };
        break;
      case 'quiet':
        profile = {
          ...profile,
          quietHours: { start: `${a.start}:00`, end: `${String(a.end).padStart(2, '0')}:00` },
        };
        break;
      case 'prefer':
        profile = { ...profile, preferredChannel: a.channel };
        break;
      case 'engage': {
        // The customer opens the latest message that went out.
        const sent = [...entries.values()]
          .filter((e) => e.outcome === 'approved' && e.at!.getTime() <= now)
          .sort((x, y) => y.at!.getTime() - x.at!.getTime())[0];
        if (sent) {
          entries.set(sent.requestId, { ...sent, engaged: true });
          engagements.push({ decisionId: sent.decisionId, reminderOf: sent.reminderOf, at: now });
        }
        break;
      }
    }
  }
  // Let everything still waiting come due: every request ends somewhere.
  for (
    let guard = 0;
    guard < 200 &&
    (planReminders(now), [...entries.values()].some((e) => e.outcome === 'deferred'));
    guard++
  ) {
    now = Math.min(
      ...[...entries.values()].filter((e) => e.outcome === 'deferred').map((e) => e.at!.getTime()),
    );
    due();
  }
  return { records: [...records.values()], entries: [...entries.values()], fulfilled, engagements };
}

const history = fc.record({
  zone: fc.constantFrom(...ZONES),
  start: fc.constantFrom(...STARTS),
  actions: fc.array(action, { minLength: 1, maxLength: 40 }),
});

describe('the policy engine, over random histories', () => {
  it('every request ends in exactly one terminal decision', () => {
    fc.assert(
      fc.property(history, ({ zone, start, actions }) => {
        const { records } = simulate(zone, start, actions);
        for (const r of records) {
          expect(r.status).not.toBe('open');
          const terminal = r.decisions.filter((d) => d.decision.outcome !== 'deferred');
          // A displaced approval is decided again; the last decision is the one that stands.
          expect(terminal.length).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a request is held for a digest at most once', () => {
    fc.assert(
      fc.property(history, ({ zone, start, actions }) => {
        const { records } = simulate(zone, start, actions);
        for (const r of records) {
          const holds = r.decisions.filter((d) =>
            d.decision.reasons.some((x) => x.code === 'held_for_digest'),
          ).length;
          expect({ request: r.request.requestId, holds: Math.min(holds, 2) }).toEqual({
            request: r.request.requestId,
            holds: Math.min(holds, 1),
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('no intent ever gets two channels, nor two messages', () => {
    fc.assert(
      fc.property(history, ({ zone, start, actions }) => {
        const { entries } = simulate(zone, start, actions);
        const byIntent = new Map<string, Set<string>>();
        const count = new Map<string, number>();
        for (const e of entries.filter((x) => x.outcome === 'approved')) {
          byIntent.set(e.intentKey, (byIntent.get(e.intentKey) ?? new Set()).add(e.channel!));
          // An update is news, and a reminder follows up (on the same channel, checked above):
          // neither is the same message again. Count per intent, update and reminder.
          const message = `${e.intentKey}#${e.update ?? '-'}#${e.reminderOf ? e.requestId : '-'}`;
          count.set(message, (count.get(message) ?? 0) + 1);
        }
        for (const [key, channels] of byIntent)
          expect({ key, channels: channels.size }).toEqual({ key, channels: 1 });
        for (const [message, n] of count) expect({ message, n }).toEqual({ message, n: 1 });
      }),
      { numRuns: 300 },
    );
  });

  it('no window ever holds more non-critical contacts than its cap', () => {
    fc.assert(
      fc.property(history, ({ zone, start, actions }) => {
        const { entries } = simulate(zone, start, actions);
        const sends = entries.filter((e) => e.outcome === 'approved' && e.urgency !== 'critical');
        for (const cap of policy.caps) {
          const times = sends
            .filter((s) => !cap.categories || cap.categories.includes(s.category))
            .map((s) => s.at!.getTime())
            .sort((a, b) => a - b);
          for (let i = 0; i < times.length; i++) {
            const inWindow = times.filter(
              (t) => t >= times[i]! && t < times[i]! + cap.windowMs,
            ).length;
            expect({ cap: cap.name, inWindow: Math.min(inWindow, cap.max + 1) }).toEqual({
              cap: cap.name,
              inWindow: Math.min(inWindow, cap.max),
            });
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never an opted-out channel or category, never inside quiet hours, never after fulfilment', () => {
    fc.assert(
      fc.property(history, ({ zone, start, actions }) => {
        const { records, fulfilled } = simulate(zone, start, actions);
        for (const r of records) {
          const last = r.decisions[r.decisions.length - 1]!;
          if (r.status !== 'approved' || last.decision.outcome !== 'approved') continue;
          const d = last.decision;
          const p = last.profile;
          // Neither the channel nor any channel it may fall back to.
          for (const channel of [d.channel, ...d.fallback.map((f) => f.channel)])
            expect(
              p.optOuts.some(
                (o) =>
                  (o.channel === undefined || o.channel === channel) &&
                  (o.category === undefined || o.category === r.request.category) &&
                  (o.channel !== undefined || o.category !== undefined),
              ),
            ).toBe(false);
          expect(d.fallback.map((f) => f.channel)).not.toContain(d.channel);
          const silentCritical = d.reasons.some((x) => x.code === 'critical_silent_channel');
          if (!silentCritical) {
            const windows = [
              p.quietHours ? clockWindow(p.quietHours) : policy.quietHours.default,
              ...(policy.quietHours.strictest[d.channel]
                ? [policy.quietHours.strictest[d.channel]!]
                : []),
            ];
            const minute = localMinutes(d.sendAfter.getTime(), zone);
            expect({ minute, quiet: windows.some((w) => isQuiet(minute, w)) }).toEqual({
              minute,
              quiet: false,
            });
          }
          const done = fulfilled.find(
            (f) => f.intentKey === r.request.intentKey && f.at.getTime() <= last.at,
          );
          expect(done).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reminders: only after a message went out, on its channel, never after engagement or fulfilment, never more than allowed', () => {
    let reminded = 0;
    fc.assert(
      fc.property(history, ({ zone, start, actions }) => {
        const { records, fulfilled, engagements } = simulate(zone, start, actions);
        const byDecision = new Map(records.map((r) => [`d-${r.request.requestId}`, r]));
        for (const r of records.filter((x) => x.request.reminder && x.status === 'approved')) {
          reminded++;
          const reminder = r.request.reminder!;
          const last = r.decisions[r.decisions.length - 1]!;
          if (last.decision.outcome !== 'approved') continue;
          const first = byDecision.get(reminder.of)!;
          const firstApproval = first.decisions.find((d) => d.decision.outcome === 'approved')!;
          expect(firstApproval).toBeDefined();
          expect(last.decision.channel).toBe(
            (firstApproval.decision as { channel: string }).channel,
          );
          expect(reminder.number).toBeLessThanOrEqual(reminder.maxReminders);
          const done = fulfilled.find(
            (f) => f.intentKey === r.request.intentKey && f.at.getTime() <= last.at,
          );
          expect(done).toBeUndefined();
          const engaged = engagements.find(
            (g) =>
              (g.decisionId === reminder.of || g.reminderOf === reminder.of) && g.at <= last.at,
          );
          expect(engaged).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
    // The histories do produce reminders, so the property is about something.
    expect(reminded).toBeGreaterThan(0);
  });
});
