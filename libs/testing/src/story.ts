import { Client } from 'pg';
import { departmentEvent, newCustomerId, postEvents } from './department-events';
import { STAFF, type TestStack } from './stack';
import { advanceStackClock, testNow } from './test-clock';
import type { StoryCalendar } from './story-calendar';
import { TopicTap } from './topic-tap';
import { waitFor } from './wait';

const DECISIONS = 'ov.decisions.v1';
const DELIVERIES = 'ov.deliveries.v1';

export interface SeenDecision {
  id: string;
  type: string;
  data: {
    decisionId: string;
    requestId: string;
    requestSource: string;
    outcome: 'approved' | 'deferred' | 'merged' | 'suppressed';
    intentType: string;
    intentKey: string;
    channel?: string;
    sendAfter?: string;
    deferredUntil?: string;
    replaces?: string;
    reminderOf?: string;
    fallback?: { timeZone: string; until: string; channels: { channel: string }[] };
    reasons: { rule: string; code: string; text: string }[];
  };
}

/**
 * A fixed-offset time zone in which it is now (by the services' clock) between `fromHour` and
 * `toHour`, both included.
 */
export function zoneAtHours(fromHour: number, toHour: number, now = testNow()): string {
  for (let offset = -12; offset <= 14; offset++) {
    const hour = (now.getUTCHours() + offset + 24) % 24;
    if (hour >= fromHour && hour <= toHour)
      return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
  }
  throw new Error(
    `no time zone is between ${fromHour}:00 and ${toHour}:59 at ${now.toISOString()}`,
  );
}

/** `at` as a clock in `timeZone` reads it: "2026-12-03 09:41". */
export function localTime(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const v = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${v('year')}-${v('month')}-${v('day')} ${v('hour')}:${v('minute')}`;
}

/**
 * A time zone in which it is now (by the services' clock) the middle of the day, so that a
 * story's messages are not held for the night whatever hour the suite runs at.
 */
export function daytimeZone(now = testNow()): string {
  return zoneAtHours(11, 16, now);
}

/**
 * One customer's story, told through OneVoice's public interfaces: departments post events to
 * ingest, preferences go to the behaviour profiler's API (which publishes the profile), and the
 * story reads ov.decisions.v1, ov.deliveries.v1 and the timeline.
 */
export class Story {
  readonly customerId: string;

  private constructor(
    private readonly stack: TestStack,
    private readonly tap: TopicTap,
    label: string,
    customerId?: string,
  ) {
    this.customerId = customerId ?? newCustomerId(label);
  }

  /** A new customer's story; `customerId` when the id must have a form (an E.164 number). */
  static async begin(
    stack: TestStack,
    label: string,
    options: { customerId?: string } = {},
  ): Promise<Story> {
    const tap = await TopicTap.open(stack, [DECISIONS, DELIVERIES]);
    return new Story(stack, tap, label, options.customerId);
  }

  async end(): Promise<void> {
    await this.tap.close();
  }

  /** What the services' clocks read now. */
  now(): Date {
    return testNow();
  }

  /**
   * Lets `ms` pass for every service at once (their clocks move on; their scheduler loops then find
   * what came due); returns the time they now read.
   */
  async advance(ms: number): Promise<Date> {
    // Time moves on only once the dispatcher holds every message approved for this customer so
    // far (sent, or scheduled for its window): moved first, it would send one at the later time.
    await this.waitFor('the dispatcher to take every approved message before time moves on', () => {
      const taken = new Set(this.deliveries().map((d) => d.data.decisionId));
      return this.decisions().every(
        (d) => d.data.outcome !== 'approved' || taken.has(d.data.decisionId),
      )
        ? true
        : undefined;
    });
    return advanceStackClock(this.stack, ms);
  }

  /**
   * Sets what the customer said (preferred channel, time zone, opt-outs, …) the way an agent does,
   * through the behaviour profiler's API; waits until the coordinator holds the profile it
   * published.
   */
  async profile(preferences: Record<string, unknown>): Promise<void> {
    const res = await fetch(
      `${this.stack.services['behaviour-profiler']}/v1/customers/${encodeURIComponent(this.customerId)}/preferences`,
      {
        method: 'PUT',
        headers: { authorization: STAFF.ops, 'content-type': 'application/json' },
        body: JSON.stringify(preferences),
      },
    );
    const body = (await res.json()) as { version?: number };
    if (res.status !== 200)
      throw new Error(
        `the profiler refused the preferences: ${res.status} ${JSON.stringify(body)}`,
      );
    await this.profileInCoordinator(
      `profile version ${body.version}`,
      (p) => p.version >= body.version!,
    );
  }

  /** Waits until the coordinator holds a profile of this customer that satisfies `test`. */
  async profileInCoordinator(
    what: string,
    test: (
      profile: {
        version: number;
        inferred?: { channel: string; confidence: number; category?: string }[];
      } & Record<string, unknown>,
    ) => boolean,
    timeoutMs = 30_000,
  ): Promise<Record<string, unknown>> {
    const db = new Client({ connectionString: this.stack.databaseUrl });
    await db.connect();
    try {
      return await waitFor(
        `${what} in the coordinator`,
        async () => {
          const r = await db.query(
            'SELECT profile FROM coordinator.profiles WHERE customer_id = $1',
            [this.customerId],
          );
          const profile = (r.rows[0] as { profile?: { version: number } } | undefined)?.profile;
          return profile && test(profile) ? (profile as Record<string, unknown>) : undefined;
        },
        { timeoutMs },
      );
    } finally {
      await db.end();
    }
  }

  /** A department posts an event about this customer (now, or at `time`); returns its id. */
  async send(
    source: string,
    type: string,
    data: Record<string, unknown>,
    options: { time?: Date } = {},
  ): Promise<string> {
    const event = departmentEvent({ type, source, subject: this.customerId, data, ...options });
    const res = await postEvents(this.stack.services.ingest, event, { token: `dev-${source}` });
    if (res.status !== 202)
      throw new Error(
        `ingest refused ${type} from ${source}: ${res.status} ${JSON.stringify(res.body)}`,
      );
    return event.id;
  }

  /** Every decision about this customer so far, in order. */
  decisions(): SeenDecision[] {
    return this.tap.events<SeenDecision>(DECISIONS, this.customerId);
  }

  /** The decision that stands for each request (the latest about it). */
  standing(): Map<string, SeenDecision> {
    const latest = new Map<string, SeenDecision>();
    for (const d of this.decisions()) latest.set(`${d.data.requestSource}/${d.data.requestId}`, d);
    return latest;
  }

  deliveries() {
    return this.tap.events<{
      id: string;
      time: string;
      data: {
        deliveryId: string;
        decisionId: string;
        requestId: string;
        channel: string;
        intentType: string;
        state: string;
        attempt: number;
        detail?: string;
      };
    }>(DELIVERIES, this.customerId);
  }

  /**
   * What the customer received so far: each message sent, in order, with when (the dispatcher's
   * clock) and on which channel. An announcement repeated under the same event id (a recovered
   * claim) is one message, as for every consumer; a second send would have an id of its own.
   */
  received(): { at: Date; channel: string; intentType: string; requestId: string }[] {
    const seen = new Set<string>();
    return this.deliveries()
      .filter((d) => d.data.state === 'sent' && !seen.has(d.id) && seen.add(d.id))
      .map((d) => ({
        at: new Date(d.time),
        channel: d.data.channel,
        intentType: d.data.intentType,
        requestId: d.data.requestId,
      }))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /**
   * What the customer received, a row a message: the story's day and the customer's clock it
   * went at, its channel and its intent — `[3, '15:00', 'email', 'service.appointment_tomorrow']`.
   */
  receivedOn(calendar: StoryCalendar): [number, string, string, string][] {
    return this.received().map((r) => [
      calendar.dayOf(r.at),
      calendar.clock(r.at),
      r.channel,
      r.intentType,
    ]);
  }

  /** Waits until the message asked for by `requestId` has been sent; returns when and how. */
  async sentFor(requestId: string) {
    return this.waitFor(`the message of ${requestId} sent`, () =>
      this.received().find((r) => r.requestId === requestId),
    );
  }

  /**
   * Waits until each of `requestIds` stands decided for good — approved, merged or suppressed,
   * not held for later — and returns those decisions.
   */
  async settled(...requestIds: string[]): Promise<SeenDecision[]> {
    return this.waitFor(`final decisions on ${requestIds.length} request(s)`, () => {
      const standing = [...this.standing().values()];
      const found = requestIds.map((id) => standing.find((d) => d.data.requestId === id));
      return found.every((d) => d && d.data.outcome !== 'deferred')
        ? (found as SeenDecision[])
        : undefined;
    });
  }

  /** Moves every service's clock on to `t` (never back). */
  async advanceTo(t: Date): Promise<Date> {
    return this.advance(t.getTime() - this.now().getTime());
  }

  /**
   * Lets time pass, moment by moment, until `until`: the clock moves to the next time one of
   * `requestIds` is held until (a deferral, a survey's hold) and the story waits for what that
   * request then becomes, until nothing they hold comes due before `until`; then it moves to
   * `until`. One jump over several such moments would decide them all at its end, too late.
   */
  async playOut(requestIds: readonly string[], until: Date): Promise<void> {
    for (let step = 0; step < 50; step++) {
      const held = [...this.standing().values()]
        .filter(
          (d) =>
            requestIds.includes(d.data.requestId) &&
            d.data.outcome === 'deferred' &&
            d.data.deferredUntil !== undefined &&
            Date.parse(d.data.deferredUntil) <= until.getTime(),
        )
        .sort((a, b) => Date.parse(a.data.deferredUntil!) - Date.parse(b.data.deferredUntil!));
      const next = held[0];
      if (!next) break;
      const due = Date.parse(next.data.deferredUntil!) + 1_000;
      if (due > this.now().getTime()) await this.advance(due - this.now().getTime());
      const became = await this.waitFor(
        `what ${next.data.requestId} became at ${next.data.deferredUntil}`,
        () => {
          const now = this.standing().get(`${next.data.requestSource}/${next.data.requestId}`);
          return now && now.id !== next.id ? now : undefined;
        },
      );
      // Approved: the dispatcher has it (sent, or scheduled for its window) before time moves on.
      if (became.data.outcome === 'approved')
        await this.waitFor(`the delivery of ${became.data.decisionId}`, () =>
          this.deliveries().find((d) => d.data.decisionId === became.data.decisionId),
        );
    }
    if (until.getTime() > this.now().getTime())
      await this.advance(until.getTime() - this.now().getTime());
  }

  /** Waits until each of `requestIds` has been decided at least once. */
  async decided(...requestIds: string[]): Promise<void> {
    await waitFor(`decisions on ${requestIds.length} request(s)`, () => {
      const seen = new Set(this.decisions().map((d) => d.data.requestId));
      return requestIds.every((id) => seen.has(id)) ? true : undefined;
    });
  }

  /** Waits for the decision that called off a reminder of `decisionId`, and returns it. */
  async reminderCalledOff(decisionId: string): Promise<SeenDecision> {
    return this.waitFor('the reminder called off', () =>
      this.decisions().find(
        (d) => d.data.reminderOf === decisionId && d.data.outcome === 'suppressed',
      ),
    );
  }

  async waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined> | T | undefined,
    timeoutMs = 30_000,
  ): Promise<T> {
    return waitFor(what, probe, { timeoutMs });
  }

  /** What the dispatcher rendered for this customer (its own table: the capture adapter's record). */
  async deliveredMessages(): Promise<{ channel: string; subject: string; body: string }[]> {
    const db = new Client({ connectionString: this.stack.databaseUrl });
    await db.connect();
    try {
      const r = await db.query(
        'SELECT channel, subject, body FROM dispatcher.deliveries WHERE customer_id = $1 ORDER BY created_at',
        [this.customerId],
      );
      return r.rows as { channel: string; subject: string; body: string }[];
    } finally {
      await db.end();
    }
  }

  private async timelineRaw() {
    const res = await fetch(
      `${this.stack.services.coordinator}/v1/customers/${this.customerId}/timeline`,
      {
        headers: { authorization: STAFF.ops },
      },
    );
    return {
      status: res.status,
      body: (await res.json()) as {
        entries: { kind: string; summary: string; [k: string]: unknown }[];
      },
    };
  }

  async timeline() {
    return (await this.timelineRaw()).body.entries;
  }
}
