import { Client } from 'pg';
import { departmentEvent, newCustomerId, postEvents } from './department-events';
import type { TestStack } from './stack';
import { advanceStackClock, testNow } from './test-clock';
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
  ) {
    this.customerId = newCustomerId(label);
  }

  static async begin(stack: TestStack, label: string): Promise<Story> {
    return new Story(stack, await TopicTap.open(stack.brokers, [DECISIONS, DELIVERIES]), label);
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
        headers: { authorization: 'Bearer dev-ops', 'content-type': 'application/json' },
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
        headers: { authorization: 'Bearer dev-ops' },
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
