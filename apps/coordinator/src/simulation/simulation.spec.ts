import type { Channel } from '@onevoice/contracts';
import { CustomerWorld, type CustomerOutcome, type Send } from './customer-world';
import { naiveOutcome } from './naive-baseline';
import { recordedCustomer } from './replay';
import type { DepartmentEvent, SimCustomer } from './population';
import { expectationsOf, Tally } from './report';
import { DEFAULT_FILES, loadSetup, simulate } from './simulation';

const setup = loadSetup(DEFAULT_FILES, 1, 30);
const start = setup.population.start;
const period = {
  start,
  end: setup.population.end,
  seed: 1,
  truth: setup.population.config,
};
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function customer(over: Partial<SimCustomer> = {}): SimCustomer {
  return {
    ...recordedCustomer('c-1', 1),
    preferred: 'email',
    accepts: new Set<Channel>(['email']),
    zone: 'America/New_York',
    ...over,
  };
}

let seq = 0;
function event(
  at: number,
  source: string,
  type: string,
  data: Record<string, unknown>,
): DepartmentEvent {
  return {
    specversion: '1.0',
    id: `e-${seq++}`,
    source,
    type,
    subject: 'c-1',
    time: new Date(at).toISOString(),
    data,
  };
}

// 15:00 UTC is 10:00 in New York (EST in February): inside everyone's day.
const tenAm = start + 15 * HOUR;
const bill = (at = tenAm) =>
  event(at, 'billing', 'billing.payment_due', {
    intentKey: 'bill-1',
    action: { url: 'https://pay.example.com' },
    variables: {},
  });

describe('the population', () => {
  const big = loadSetup(DEFAULT_FILES, 7, 30).population;
  const people = Array.from({ length: 20_000 }, (_, i) => big.customer(i));
  const share = (f: (c: SimCustomer) => boolean) => people.filter(f).length / people.length;

  it('draws true preferred channels in the shares the file gives', () => {
    for (const [channel, segment] of Object.entries(big.config.segments))
      expect(Math.abs(share((c) => c.preferred === channel) - segment!.share)).toBeLessThan(0.01);
  });

  it('spreads customers over the markets, and lets the stated share say what they prefer', () => {
    for (const m of big.config.markets)
      expect(Math.abs(share((c) => c.zone === m.zone) - m.share)).toBeLessThan(0.01);
    expect(
      Math.abs(share((c) => c.statesPreference) - big.config.stated.preferredChannel),
    ).toBeLessThan(0.01);
    // Everyone accepts the channel they prefer; few email customers accept calls.
    expect(people.every((c) => c.accepts.has(c.preferred))).toBe(true);
    expect(share((c) => c.preferred === 'email' && c.accepts.has('voice'))).toBeLessThan(0.03);
  });

  it('is the same people for the same seed, and others for another', () => {
    const again = loadSetup(DEFAULT_FILES, 7, 30).population;
    expect(again.eventsOf(again.customer(42))).toEqual(big.eventsOf(big.customer(42)));
    const other = loadSetup(DEFAULT_FILES, 8, 30).population;
    expect(other.eventsOf(other.customer(42))).not.toEqual(big.eventsOf(big.customer(42)));
  });

  it('writes periods in time order, inside the period, with bills every month', () => {
    const events = big.eventsOf(big.customer(3));
    const times = events.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((t) => t < big.end)).toBe(true);
    expect(events.filter((e) => e.type === 'billing.payment_due').length).toBeGreaterThanOrEqual(1);
  });
});

describe('the naive baseline', () => {
  it('sends a bill on every default channel, and its reminder unless it was paid', () => {
    const c = customer({ accepts: new Set<Channel>(['email', 'sms', 'voice']) });
    const unpaid = naiveOutcome(setup, c, [bill()], period.end);
    const channels = setup.catalogue.intents['billing.payment_due']!.defaultChannels;
    // The bill, then its one reminder three days later, each on every channel.
    expect(unpaid.sends.map((s) => s.channel)).toEqual([...channels, ...channels]);
    expect(unpaid.sends[channels.length]!.at - unpaid.sends[0]!.at).toBe(3 * DAY);
    const paid = naiveOutcome(
      setup,
      c,
      [
        bill(),
        event(tenAm + DAY, 'billing', 'interaction.payment', {
          channel: 'web',
          amount: '1',
          fulfils: 'bill-1',
        }),
      ],
      period.end,
    );
    expect(paid.sends).toHaveLength(channels.length);
  });

  it('honours opt-outs and skips an address that does not work', () => {
    const c = customer({ unreachable: new Set<Channel>(['sms']) });
    const out = naiveOutcome(
      setup,
      c,
      [event(start, 'digital', 'preference.changed', { optOut: [{ channel: 'voice' }] }), bill()],
      period.end,
    );
    expect(out.sends.slice(0, 1).map((s) => s.channel)).toEqual(['email']);
    expect(out.sends.some((s) => s.channel === 'voice' || s.channel === 'sms')).toBe(false);
  });
});

describe('one customer through OneVoice', () => {
  it('hears about a bill once, on one channel, and not again once paid', () => {
    const out = new CustomerWorld(setup, customer(), period).run([
      bill(),
      event(tenAm + DAY, 'billing', 'interaction.payment', {
        channel: 'web',
        amount: '1',
        fulfils: 'bill-1',
      }),
    ]);
    expect(out.sends).toHaveLength(1);
    expect(out.sends[0]).toMatchObject({ intentType: 'billing.payment_due', refused: false });
  });

  it('never calls a customer who opted out of calls, and waits for their morning', () => {
    // 04:00 in New York: the bill waits for the day (the zone said first).
    const night = start + 9 * HOUR;
    const out = new CustomerWorld(setup, customer(), period).run([
      event(start, 'digital', 'preference.changed', {
        optOut: [{ channel: 'voice' }],
        timeZone: 'America/New_York',
      }),
      bill(night),
    ]);
    expect(out.sends.map((s) => s.channel)).not.toContain('voice');
    expect(out.sends[0]!.at).toBeGreaterThan(night);
  });
});

describe('the report', () => {
  const send = (over: Partial<Send>): Send => ({
    at: tenAm,
    channel: 'email',
    category: 'billing',
    urgency: 'high',
    intentType: 'billing.payment_due',
    intentKey: 'k',
    source: 'billing',
    members: 1,
    refused: false,
    ...over,
  });
  const outcome = (c: SimCustomer, sends: Send[], over: Partial<CustomerOutcome> = {}) => ({
    customer: c,
    sends,
    decisions: new Map(),
    critical: new Map(),
    collections: [],
    rejected: 0,
    ...over,
  });

  it('works out each figure of a population small enough to check by hand', () => {
    const tally = new Tally(expectationsOf(setup.population.config), 30);
    const a = customer({
      id: 'a',
      preferred: 'email',
      accepts: new Set<Channel>(['email', 'sms']),
    });
    const b = customer({ id: 'b', preferred: 'sms', accepts: new Set<Channel>(['sms']) });
    // a: an email, a text the same day, a promotion inside collections, a survey; one critical
    // outage delivered 30 minutes late.
    tally.add(
      outcome(
        a,
        [
          send({}),
          send({ channel: 'sms', at: tenAm + HOUR }),
          send({ category: 'promotion', urgency: 'low', at: tenAm + 2 * DAY }),
          send({ category: 'survey', urgency: 'low', at: tenAm + 3 * DAY }),
          send({ urgency: 'critical', category: 'outage', intentKey: 'o', at: tenAm + 4 * DAY }),
        ],
        {
          critical: new Map([
            [
              'o',
              {
                receivedAt: tenAm + 4 * DAY - 30 * 60_000,
                expiresAt: tenAm + 6 * DAY,
                sentAt: tenAm + 4 * DAY,
              },
            ],
          ]),
          collections: [[tenAm + DAY, tenAm + 3 * DAY]],
        },
      ),
      outcome(
        a,
        Array.from({ length: 10 }, () => send({})),
      ),
    );
    // b: a call they do not take, at 02:00 in New York (quiet), and a critical never sent.
    tally.add(
      outcome(b, [send({ channel: 'voice', at: start + 7 * HOUR })], {
        critical: new Map([['x', { receivedAt: start, expiresAt: start + DAY }]]),
      }),
      outcome(
        b,
        Array.from({ length: 10 }, () => send({ channel: 'sms' })),
      ),
    );
    const r = tally.summary({ seed: 1 });
    expect(r.customers).toBe(2);
    // 6 sends against 20, over one month of two customers.
    expect(r.onevoice.touchesPerCustomerMonth).toBe(3);
    expect(r.naive.touchesPerCustomerMonth).toBe(10);
    expect(r.touchRatio).toBe(0.3);
    // Non-critical: a's email, sms, promotion (email), survey (email) and b's call: 3 of 5 preferred.
    expect(r.preferredChannelShare).toBe(0.6);
    expect(r.acceptedChannelShare).toBe(round(5 / 6));
    expect(r.criticalDelivered).toBe(0.5);
    expect(r.criticalMedianDelayMinutes).toBe(30);
    expect(r.quietHoursViolations).toBe(1);
    expect(r.promotionsDuringCollections).toBe(1);
    expect(r.sameDayMultiChannel).toBe(1);
    expect(r.unwantedCalls).toBe(1);
    expect(r.surveysPer90Days).toBe(3);
    expect(r.onevoice.departments['billing']!.sends).toBe(6);
  });
});

describe('a whole simulation', () => {
  it('is repeatable, and OneVoice sends less than the departments would on their own', () => {
    const first = simulate(setup, 60);
    expect(simulate(setup, 60)).toEqual(first);
    expect(first.touchRatio).toBeGreaterThan(0);
    expect(first.touchRatio).toBeLessThan(1);
    expect(first.refusalViolations).toBe(0);
    expect(first.quietHoursViolations).toBe(0);
  });
});

const round = (x: number) => Math.round(x * 10_000) / 10_000;
