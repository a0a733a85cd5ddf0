import { clockWindow, isQuiet, localMinutes, wallClock } from '@onevoice/policy';
import type { CustomerOutcome } from './customer-world';
import type { PopulationConfig } from './population';

const DAY = 86_400_000;

/** One side of the comparison (OneVoice or the naive baseline), summed over customers. */
class Side {
  touches = 0;
  readonly perCustomerMonth: number[] = [];
  nonCritical = 0;
  onPreferred = 0;
  onAccepted = 0;
  critical = 0;
  criticalDelivered = 0;
  readonly criticalDelays: number[] = [];
  quietHoursViolations = 0;
  refusalViolations = 0;
  readonly surveysPer90: number[] = [];
  promotionsDuringCollections = 0;
  sameDayMultiChannel = 0;
  unwantedCalls = 0;
  unwantedCriticalCalls = 0;
  /** Calls that answer the customer's own call (reply in kind): never counted as unwanted. */
  callbacks = 0;
  /** Where the violations and unwanted calls came from, to see what to change. */
  readonly quietByChannel = new Map<string, number>();
  readonly unwantedCallsByIntent = new Map<string, number>();
  /** Non-critical sends by the customer's true preferred channel, and the channel used. */
  readonly bySegment = new Map<string, Map<string, number>>();
  readonly channels = new Map<string, number>();
  readonly departments = new Map<
    string,
    { sends: number; suppressions: number; deferrals: number; merged: number }
  >();
  rejected = 0;

  department(name: string) {
    let d = this.departments.get(name);
    if (!d)
      this.departments.set(name, (d = { sends: 0, suppressions: 0, deferrals: 0, merged: 0 }));
    return d;
  }
}

/** What the report checks sends against: the customers' own hours, not the policy under test. */
export interface Expectations {
  quiet: { start: number; end: number };
  voiceQuiet: { start: number; end: number };
  silentChannels: readonly string[];
}

export function expectationsOf(population: PopulationConfig): Expectations {
  return {
    quiet: clockWindow(population.quietHours.default),
    voiceQuiet: clockWindow(population.quietHours.voice),
    silentChannels: population.quietHours.silentChannels,
  };
}

/** Adds up customers' outcomes into the report (`--json` prints `summary()`). */
export class Tally {
  readonly onevoice = new Side();
  readonly naive = new Side();
  customers = 0;

  constructor(
    private readonly expect: Expectations,
    private readonly days: number,
  ) {}

  add(onevoice: CustomerOutcome, naive: CustomerOutcome): void {
    this.customers++;
    this.side(this.onevoice, onevoice);
    this.side(this.naive, naive);
  }

  private side(side: Side, o: CustomerOutcome): void {
    const { customer } = o;
    const months = this.days / 30;
    side.touches += o.sends.length;
    side.perCustomerMonth.push(o.sends.length / months);
    side.rejected += o.rejected;
    let surveys = 0;
    const days = new Map<number, Set<string>>();
    for (const s of o.sends) {
      const critical = s.urgency === 'critical';
      bump(side.channels, s.channel);
      side.department(s.source).sends++;
      if (!critical) {
        side.nonCritical++;
        let seg = side.bySegment.get(customer.preferred);
        if (!seg) side.bySegment.set(customer.preferred, (seg = new Map()));
        bump(seg, s.channel);
        if (s.channel === customer.preferred) side.onPreferred++;
        if (s.channel === 'voice' && s.inKind) side.callbacks++;
        else if (s.channel === 'voice' && !customer.accepts.has('voice')) {
          side.unwantedCalls++;
          bump(side.unwantedCallsByIntent, s.intentType);
        }
      } else if (s.channel === 'voice' && !customer.accepts.has('voice'))
        side.unwantedCriticalCalls++;
      if (customer.accepts.has(s.channel)) side.onAccepted++;
      if (s.refused) side.refusalViolations++;
      if (s.category === 'survey') surveys++;
      if (
        s.category === 'promotion' &&
        o.collections.some(([from, to]) => s.at >= from && s.at < to)
      )
        side.promotionsDuringCollections++;
      if (this.quiet(s, customer.zone)) {
        side.quietHoursViolations++;
        bump(side.quietByChannel, `${s.channel} ${s.urgency}`);
      }
      const day = Math.floor(wallClock(s.at, customer.zone) / DAY);
      let set = days.get(day);
      if (!set) days.set(day, (set = new Set()));
      set.add(s.channel);
    }
    if ([...days.values()].some((set) => set.size > 1)) side.sameDayMultiChannel++;
    side.surveysPer90.push((surveys * 90) / this.days);
    for (const c of o.critical.values()) {
      side.critical++;
      if (c.sentAt !== undefined && c.sentAt <= c.expiresAt) {
        side.criticalDelivered++;
        side.criticalDelays.push((c.sentAt - c.receivedAt) / 60_000);
      }
    }
    for (const [department, d] of o.decisions) {
      const row = side.department(department);
      row.suppressions += d.suppressed;
      row.deferrals += d.deferred;
      row.merged += d.merged;
    }
  }

  /** Inside the customer's quiet hours, in their real zone; a critical message may use a silent channel. */
  private quiet(s: { at: number; channel: string; urgency: string }, zone: string): boolean {
    // A letter is posted, not rung or buzzed: it is read when the customer opens it.
    if (s.channel === 'letter') return false;
    const minute = localMinutes(s.at, zone);
    const window = s.channel === 'voice' ? this.expect.voiceQuiet : this.expect.quiet;
    if (!isQuiet(minute, window)) return false;
    return !(s.urgency === 'critical' && this.expect.silentChannels.includes(s.channel));
  }

  summary(extra: { seed: number }) {
    const side = (s: Side) => ({
      touchesPerCustomerMonth: round(mean(s.perCustomerMonth)),
      p95TouchesPerCustomerMonth: round(percentile(s.perCustomerMonth, 0.95)),
      touches: s.touches,
      preferredChannelShare: round(ratio(s.onPreferred, s.nonCritical), 4),
      acceptedChannelShare: round(ratio(s.onAccepted, s.touches), 4),
      criticalDelivered: round(ratio(s.criticalDelivered, s.critical), 4),
      criticalMedianDelayMinutes: round(percentile(s.criticalDelays, 0.5)),
      quietHoursViolations: s.quietHoursViolations,
      refusalViolations: s.refusalViolations,
      surveysPer90Days: round(percentile(s.surveysPer90, 0.95)),
      promotionsDuringCollections: s.promotionsDuringCollections,
      sameDayMultiChannel: s.sameDayMultiChannel,
      unwantedCalls: s.unwantedCalls,
      unwantedCriticalCalls: s.unwantedCriticalCalls,
      callbacks: s.callbacks,
      quietHoursViolationsBy: sorted(s.quietByChannel),
      unwantedCallsBy: sorted(s.unwantedCallsByIntent),
      channels: sorted(s.channels),
      channelsByPreferred: Object.fromEntries(
        [...s.bySegment].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, m]) => [k, sorted(m)]),
      ),
      departments: Object.fromEntries([...s.departments].sort(([a], [b]) => (a < b ? -1 : 1))),
    });
    const onevoice = side(this.onevoice);
    const naive = side(this.naive);
    return {
      customers: this.customers,
      days: this.days,
      seed: extra.seed,
      touchRatio: round(ratio(onevoice.touchesPerCustomerMonth, naive.touchesPerCustomerMonth), 4),
      preferredChannelShare: onevoice.preferredChannelShare,
      acceptedChannelShare: onevoice.acceptedChannelShare,
      criticalDelivered: onevoice.criticalDelivered,
      criticalMedianDelayMinutes: onevoice.criticalMedianDelayMinutes,
      quietHoursViolations: onevoice.quietHoursViolations,
      refusalViolations: onevoice.refusalViolations,
      surveysPer90Days: onevoice.surveysPer90Days,
      promotionsDuringCollections: onevoice.promotionsDuringCollections,
      sameDayMultiChannel: onevoice.sameDayMultiChannel,
      unwantedCalls: onevoice.unwantedCalls,
      rejectedEvents: this.onevoice.rejected,
      onevoice,
      naive,
    };
  }
}
export type SimulationReport = ReturnType<Tally['summary']>;

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const sorted = (m: ReadonlyMap<string, number>) =>
  Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: readonly number[]) =>
  xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;

/** The `p` quantile (nearest rank) of `xs`; 0 for none. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
