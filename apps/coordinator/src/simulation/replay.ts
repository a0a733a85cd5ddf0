import {
  contactIntentDataSchema,
  INTERACTION_DATA_SCHEMAS,
  PREFERENCE_CHANGED,
  preferenceChangedDataSchema,
  publishRefusal,
  SURVEY_REQUESTED,
  surveyRequestedDataSchema,
  type Channel,
} from '@onevoice/contracts';
import type { z } from 'zod';
import { CustomerWorld, type GateSetup, type CustomerOutcome } from './customer-world';
import type { DepartmentEvent, SimCustomer } from './population';

/** Bounds a replay keeps to (the HTTP route's; the command line may raise them). */
export interface ReplayLimits {
  maxEvents: number;
  maxCustomers: number;
  /** Customers whose timelines are shown before and after. */
  samples: number;
}

export const HTTP_REPLAY_LIMITS: ReplayLimits = {
  maxEvents: 50_000,
  maxCustomers: 5_000,
  samples: 5,
};

/** A JSONL export: one event per line; a line that is not JSON is kept as null (counted, skipped). */
export function parseJsonl(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return null;
      }
    });
}

/** Events a replay could not use, by why (never silently dropped). */
export type Skipped = Record<string, number>;

/**
 * Checks recorded events as ingest would and groups them by customer, in time order: what a
 * replay feeds the gate. An event that does not parse is counted under its reason, not used.
 */
export function recordedTraffic(
  raw: readonly unknown[],
  gate: Pick<GateSetup, 'permissions' | 'catalogue'>,
  filter: { from?: number; to?: number; customers?: ReadonlySet<string> } = {},
): { byCustomer: Map<string, DepartmentEvent[]>; skipped: Skipped; events: number } {
  const byCustomer = new Map<string, DepartmentEvent[]>();
  const skipped: Skipped = {};
  const skip = (why: string) => (skipped[why] = (skipped[why] ?? 0) + 1);
  let events = 0;
  for (const r of raw) {
    const e = r as Partial<DepartmentEvent> | null;
    if (!e || typeof e !== 'object') {
      skip('not an object');
      continue;
    }
    if (typeof e.subject !== 'string' || typeof e.type !== 'string' || typeof e.id !== 'string') {
      skip('no subject, type or id');
      continue;
    }
    if (
      typeof e.source !== 'string' ||
      typeof e.time !== 'string' ||
      Number.isNaN(Date.parse(e.time))
    ) {
      skip('no source or time');
      continue;
    }
    const at = Date.parse(e.time);
    if (
      (filter.from !== undefined && at < filter.from) ||
      (filter.to !== undefined && at >= filter.to)
    )
      continue;
    if (filter.customers && !filter.customers.has(e.subject)) continue;
    const data = parsed(e.type, e.data);
    if (!data.ok) {
      skip(`${e.type}: ${data.why}`);
      continue;
    }
    // What ingest refuses (a department publishing what it may not) never reached the gate.
    const isIntent = gate.catalogue.intents[e.type] !== undefined;
    const refused = publishRefusal(
      gate.permissions,
      e.source,
      { type: e.type, data: data.data },
      isIntent,
    );
    if (refused) {
      skip(`${e.type}: ${refused.field} not permitted`);
      continue;
    }
    events++;
    const list = byCustomer.get(e.subject) ?? [];
    list.push({ ...(e as DepartmentEvent), data: data.data });
    byCustomer.set(e.subject, list);
  }
  for (const list of byCustomer.values())
    list.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return { byCustomer, skipped, events };
}

function parsed(
  type: string,
  data: unknown,
): { ok: true; data: Record<string, unknown> } | { ok: false; why: string } {
  const schema: z.ZodType | undefined =
    type === PREFERENCE_CHANGED
      ? preferenceChangedDataSchema
      : type === SURVEY_REQUESTED
        ? surveyRequestedDataSchema
        : type in INTERACTION_DATA_SCHEMAS
          ? INTERACTION_DATA_SCHEMAS[type as keyof typeof INTERACTION_DATA_SCHEMAS]
          : contactIntentDataSchema;
  const result = schema.safeParse(data ?? {});
  if (result.success) return { ok: true, data: result.data as Record<string, unknown> };
  const issue = result.error.issues[0];
  return { ok: false, why: `data.${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}` };
}

/** A customer known only by their id: a replay has no truth about them, only their events. */
export function recordedCustomer(id: string, index: number): SimCustomer {
  return {
    id,
    index,
    preferred: 'email',
    accepts: new Set<Channel>(),
    zone: 'UTC',
    statesZone: false,
    statesPreference: false,
    optsOutOfUnaccepted: false,
    area: 0,
    billDay: 1,
    paysLate: false,
    unreachable: new Set(),
  };
}

/** One customer's recorded events decided again under `gate`, with every decision kept. */
export function replayCustomer(
  gate: GateSetup,
  customerId: string,
  index: number,
  events: readonly DepartmentEvent[],
  end: number,
): CustomerOutcome {
  const start = events.length > 0 ? Date.parse(events[0]!.time) : end;
  return new CustomerWorld(gate, recordedCustomer(customerId, index), {
    start,
    end,
    seed: 0,
    log: true,
  }).run(events);
}

const describe = (d: { outcome: string; channel?: string }) =>
  d.channel ? `${d.outcome} ${d.channel}` : d.outcome;

/**
 * The recorded traffic decided under the policy in force (`before`) and under a changed one
 * (`after`), on a virtual clock, without touching anything running: what would change.
 */
export function compareReplays(
  before: GateSetup,
  after: GateSetup,
  traffic: ReturnType<typeof recordedTraffic>,
  options: { end: number; limits: ReplayLimits },
) {
  const { byCustomer } = traffic;
  if (traffic.events > options.limits.maxEvents)
    throw new ReplayTooLarge('events', traffic.events, options.limits.maxEvents);
  if (byCustomer.size > options.limits.maxCustomers)
    throw new ReplayTooLarge('customers', byCustomer.size, options.limits.maxCustomers);
  const changes = new Map<string, number>();
  const channels = { before: {} as Record<string, number>, after: {} as Record<string, number> };
  let requests = 0;
  let changed = 0;
  let touchesBefore = 0;
  let touchesAfter = 0;
  const samples: {
    customerId: string;
    before: string[];
    after: string[];
  }[] = [];
  let index = 0;
  for (const [customerId, events] of byCustomer) {
    const b = replayCustomer(before, customerId, index, events, options.end);
    const a = replayCustomer(after, customerId, index++, events, options.end);
    touchesBefore += b.sends.length;
    touchesAfter += a.sends.length;
    for (const s of b.sends) channels.before[s.channel] = (channels.before[s.channel] ?? 0) + 1;
    for (const s of a.sends) channels.after[s.channel] = (channels.after[s.channel] ?? 0) + 1;
    const lastBefore = lastDecisions(b);
    const lastAfter = lastDecisions(a);
    for (const key of new Set([...lastBefore.keys(), ...lastAfter.keys()])) {
      requests++;
      const x = lastBefore.get(key);
      const y = lastAfter.get(key);
      const from = x ? describe(x) : 'not decided';
      const to = y ? describe(y) : 'not decided';
      if (from === to) continue;
      changed++;
      const why = y?.codes[y.codes.length - 1] ?? 'none';
      const change = `${y?.intentType ?? x?.intentType}: ${from} → ${to} (${why})`;
      changes.set(change, (changes.get(change) ?? 0) + 1);
    }
    const timelineOf = (o: CustomerOutcome) =>
      o.sends.map((s) => `${new Date(s.at).toISOString()} ${s.channel} ${s.intentType}`);
    const tb = timelineOf(b);
    const ta = timelineOf(a);
    if (samples.length < options.limits.samples && tb.join() !== ta.join())
      samples.push({ customerId, before: tb, after: ta });
  }
  const customers = byCustomer.size;
  const per = (n: number) => (customers === 0 ? 0 : Math.round((n / customers) * 100) / 100);
  return {
    events: traffic.events,
    skipped: traffic.skipped,
    customers,
    policy: { before: before.policy.version, after: after.policy.version },
    requests,
    decisionsChanged: changed,
    changes: [...changes].sort((x, y) => y[1] - x[1]).map(([change, count]) => ({ change, count })),
    touchesPerCustomer: { before: per(touchesBefore), after: per(touchesAfter) },
    touches: { before: touchesBefore, after: touchesAfter },
    channels,
    samples,
  };
}
export type ReplayReport = ReturnType<typeof compareReplays>;

/** Each request's last decision (by its department and id: a reminder is its own request). */
function lastDecisions(o: CustomerOutcome) {
  const last = new Map<string, NonNullable<CustomerOutcome['decisionLog']>[number]>();
  for (const d of o.decisionLog ?? []) last.set(`${d.requestSource}/${d.requestId}`, d);
  return last;
}

export class ReplayTooLarge extends Error {
  constructor(
    readonly what: 'events' | 'customers',
    readonly count: number,
    readonly limit: number,
  ) {
    super(`the replay holds ${count} ${what}; at most ${limit} are replayed at once`);
  }
}
