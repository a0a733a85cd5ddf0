import type { Channel } from '@onevoice/contracts';
import { instantOfWall, localMinutes, wallClock } from '@onevoice/policy';
import { CustomerWorld, type GateSetup, type CustomerOutcome } from './customer-world';
import { naiveOutcome } from './naive-baseline';
import { DAY, type DepartmentEvent, type Population, type SimCustomer } from './population';

/** One step of a story: on day `day` (1 = the first) at local `time`, `source` sends `type`. */
type Step = [
  day: number,
  time: string,
  source: string,
  type: string,
  data: Record<string, unknown>,
];

/** A named story told inside the simulator: one customer, what they are, what departments send. */
export interface Scenario {
  name: string;
  summary: string;
  zone: string;
  preferred: Channel;
  accepts: Channel[];
  days: number;
  steps: Step[];
}

const url = (path: string) => ({ url: `https://example.test/${path}` });
const said = (data: Record<string, unknown>): Step => [
  1,
  '07:00',
  'digital',
  'preference.changed',
  data,
];

/** The design's seed stories and the project's own, as the simulator tells them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'car-service',
    summary:
      'The car service: five systems remind, two confirm the booking, three say "see you tomorrow", the car is ready, two ask for a rating.',
    zone: 'America/New_York',
    preferred: 'email',
    accepts: ['email', 'sms'],
    days: 14,
    steps: [
      said({ preferredChannel: 'email', timeZone: 'America/New_York' }),
      ...['sales', 'care', 'digital', 'billing', 'loyalty'].map(
        (source): Step => [
          1,
          '09:00',
          source,
          'service.appointment_due',
          {
            intentKey: 'car-service:VIN1',
            variables: { vehicle: 'your car', dueDate: 'Friday' },
            action: url('book'),
          },
        ],
      ),
      [2, '10:00', 'digital', 'interaction.fulfilled', { intentKey: 'car-service:VIN1' }],
      ...['care', 'digital'].map(
        (source): Step => [
          2,
          '10:01',
          source,
          'service.booking_confirmed',
          {
            intentKey: 'car-service:VIN1:booked',
            variables: { date: 'Thursday 09:00', place: 'the garage' },
            action: url('change'),
          },
        ],
      ),
      ...['sales', 'care', 'digital'].map(
        (source): Step => [
          3,
          '15:00',
          source,
          'service.appointment_tomorrow',
          {
            intentKey: 'car-service:VIN1:tomorrow',
            variables: { time: '09:00', place: 'the garage' },
            action: url('change'),
          },
        ],
      ),
      [4, '09:00', 'care', 'case.opened', { caseId: 'visit-1', kind: 'service' }],
      [
        4,
        '16:00',
        'care',
        'service.ready_for_pickup',
        {
          intentKey: 'car-service:VIN1:ready',
          variables: { vehicle: 'your car', place: 'the garage', closing: '18:00' },
          action: url('ready'),
        },
      ],
      [4, '17:00', 'care', 'case.closed', { caseId: 'visit-1', kind: 'service' }],
      [
        4,
        '17:01',
        'care',
        'survey.requested',
        { surveyType: 'post-service', interactionId: 'visit-1', channel: 'store' },
      ],
      [
        4,
        '17:02',
        'surveys',
        'survey.requested',
        { surveyType: 'post-service', interactionId: 'visit-1', channel: 'sms' },
      ],
    ],
  },
  {
    name: 'online-only',
    summary:
      'The cable-company customer who pays online, chats and never calls: two monthly bills, paid on the web.',
    zone: 'America/Chicago',
    preferred: 'chat',
    accepts: ['chat', 'email'],
    days: 60,
    steps: [
      ...Array.from(
        { length: 8 },
        (_, i): Step => [
          1 + i * 3,
          '19:00',
          'care',
          'interaction.inbound_contact',
          { channel: 'chat', reason: `question ${i}` },
        ],
      ),
      ...Array.from(
        { length: 2 },
        (_, i): Step => [
          4 + i * 9,
          '21:00',
          'care',
          'interaction.inbound_contact',
          { channel: 'social', reason: 'a post' },
        ],
      ),
      ...[1, 2].flatMap((month): Step[] => [
        [
          month * 28 - 14,
          '09:00',
          'billing',
          'billing.payment_due',
          {
            intentKey: `bill:${month}`,
            variables: { amount: '39.90', dueDate: 'the 5th' },
            action: url('pay'),
          },
        ],
        [
          month * 28 - 10,
          '20:00',
          'billing',
          'interaction.payment',
          { channel: 'web', amount: '39.90', fulfils: `bill:${month}` },
        ],
      ]),
    ],
  },
  {
    name: 'emailed-support',
    summary: 'A customer emails support in the evening; care answers the next morning.',
    zone: 'America/Los_Angeles',
    preferred: 'email',
    accepts: ['email'],
    days: 7,
    steps: [
      said({ timeZone: 'America/Los_Angeles' }),
      [
        1,
        '18:30',
        'care',
        'interaction.inbound_contact',
        { channel: 'email', reason: 'roaming charges' },
      ],
      [
        2,
        '08:30',
        'care',
        'care.reply',
        {
          intentKey: 'care:roaming',
          variables: { topic: 'roaming charges', answer: 'We refunded them.' },
          action: url('answer'),
          replyTo: { channel: 'email', interactionId: 'mail-1' },
        },
      ],
      [
        2,
        '08:45',
        'surveys',
        'survey.requested',
        { surveyType: 'general', interactionId: 'mail-1', channel: 'email' },
      ],
    ],
  },
  {
    name: 'phone-upgrade',
    summary:
      'After a phone upgrade, sales and care each want a check-in call, surveys emails a survey, and sales texts service options the next day.',
    zone: 'America/New_York',
    preferred: 'email',
    accepts: ['email', 'sms'],
    days: 7,
    steps: [
      said({ preferredChannel: 'email', timeZone: 'America/New_York' }),
      [
        1,
        '11:00',
        'sales',
        'service.check_in',
        {
          intentKey: 'check-in:upgrade',
          variables: { product: 'your new phone' },
          action: url('phone'),
        },
      ],
      [
        1,
        '11:01',
        'care',
        'service.check_in',
        {
          intentKey: 'check-in:upgrade',
          variables: { product: 'your new phone' },
          action: url('phone'),
        },
      ],
      [
        1,
        '11:02',
        'surveys',
        'survey.requested',
        { surveyType: 'post-service', interactionId: 'upgrade-1', channel: 'store' },
      ],
      [
        2,
        '11:00',
        'sales',
        'service.options',
        {
          intentKey: 'options:upgrade',
          variables: { product: 'your new phone', options: 'insurance, trade-in' },
          action: url('options'),
          channels: ['sms'],
        },
      ],
    ],
  },
  {
    name: 'outage',
    summary:
      'A night-time outage in the customer’s area: the alert, an update, a promotion meanwhile, the all-clear.',
    zone: 'America/Chicago',
    preferred: 'sms',
    accepts: ['sms', 'push', 'email'],
    days: 3,
    steps: [
      said({ preferredChannel: 'sms', timeZone: 'America/Chicago' }),
      [1, '23:00', 'network', 'case.opened', { caseId: 'outage-7', kind: 'outage' }],
      [
        1,
        '23:01',
        'network',
        'network.outage',
        {
          intentKey: 'outage-7',
          update: 1,
          variables: { area: 'Elm Park', service: 'broadband', eta: '04:00' },
          action: url('status'),
        },
      ],
      [
        2,
        '02:00',
        'network',
        'network.outage',
        {
          intentKey: 'outage-7',
          update: 2,
          variables: { area: 'Elm Park', service: 'broadband', eta: '06:00' },
          action: url('status'),
        },
      ],
      [
        2,
        '03:00',
        'loyalty',
        'loyalty.offer',
        {
          intentKey: 'offer:spring',
          variables: { offer: 'Faster broadband' },
          action: url('offer'),
        },
      ],
      [2, '05:30', 'network', 'case.closed', { caseId: 'outage-7', kind: 'outage' }],
      [
        2,
        '05:31',
        'network',
        'network.outage_resolved',
        {
          intentKey: 'outage-7:resolved',
          variables: { area: 'Elm Park', service: 'broadband' },
          action: url('status'),
        },
      ],
    ],
  },
  {
    name: 'evening-outage',
    summary:
      'An outage from 18:00 told by text; its 23:30 update waits for the morning (texts disturb), and the outage is over at 05:30.',
    zone: 'America/New_York',
    preferred: 'sms',
    accepts: ['sms', 'email'],
    days: 3,
    steps: [
      said({ preferredChannel: 'sms', timeZone: 'America/New_York' }),
      [1, '18:00', 'network', 'case.opened', { caseId: 'outage-9', kind: 'outage' }],
      [
        1,
        '18:01',
        'network',
        'network.outage',
        {
          intentKey: 'outage-9',
          update: 1,
          variables: { area: 'Oak Hill', service: 'TV', eta: '22:00' },
          action: url('status'),
        },
      ],
      [
        1,
        '23:30',
        'network',
        'network.outage',
        {
          intentKey: 'outage-9',
          update: 2,
          variables: { area: 'Oak Hill', service: 'TV', eta: '06:00' },
          action: url('status'),
        },
      ],
      [2, '05:30', 'network', 'case.closed', { caseId: 'outage-9', kind: 'outage' }],
      [
        2,
        '05:31',
        'network',
        'network.outage_resolved',
        {
          intentKey: 'outage-9:resolved',
          variables: { area: 'Oak Hill', service: 'TV' },
          action: url('status'),
        },
      ],
    ],
  },
  {
    name: 'collections',
    summary:
      'A late payer: collections opens a case and writes while loyalty keeps sending offers; the customer pays and the case closes.',
    zone: 'America/New_York',
    preferred: 'email',
    accepts: ['email', 'letter'],
    days: 21,
    steps: [
      said({ timeZone: 'America/New_York' }),
      [
        1,
        '09:00',
        'loyalty',
        'loyalty.offer',
        { intentKey: 'offer:1', variables: { offer: 'Offer 1' }, action: url('o1') },
      ],
      [3, '10:00', 'collections', 'case.opened', { caseId: 'debt-1', kind: 'collections' }],
      [
        3,
        '10:01',
        'collections',
        'collections.payment_overdue',
        { intentKey: 'overdue:1', variables: { amount: '42.00' }, action: url('plan') },
      ],
      [
        5,
        '09:00',
        'loyalty',
        'loyalty.offer',
        { intentKey: 'offer:2', variables: { offer: 'Offer 2' }, action: url('o2') },
      ],
      [
        9,
        '09:00',
        'loyalty',
        'loyalty.offer',
        { intentKey: 'offer:3', variables: { offer: 'Offer 3' }, action: url('o3') },
      ],
      [
        12,
        '12:00',
        'billing',
        'interaction.payment',
        { channel: 'web', amount: '42.00', fulfils: 'overdue:1' },
      ],
      [12, '12:01', 'collections', 'case.closed', { caseId: 'debt-1', kind: 'collections' }],
      [
        15,
        '09:00',
        'loyalty',
        'loyalty.offer',
        { intentKey: 'offer:4', variables: { offer: 'Offer 4' }, action: url('o4') },
      ],
    ],
  },
];

/** The instant of local `time` on `day` of a period starting at `start`, in `zone`. */
function localInstant(start: number, zone: string, day: number, time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const midnight = Math.floor(wallClock(start, zone) / DAY) * DAY;
  return instantOfWall(midnight + (day - 1) * DAY + (h * 60 + m) * 60_000, zone);
}

export interface ScenarioRun {
  scenario: Scenario;
  onevoice: CustomerOutcome;
  naive: CustomerOutcome;
  events: DepartmentEvent[];
}

/** Tells `scenario` through OneVoice and the naive baseline. */
export function runScenario(
  gate: GateSetup,
  population: Population,
  scenario: Scenario,
): ScenarioRun {
  const start = population.start;
  const end = start + (scenario.days + 1) * DAY;
  const customer: SimCustomer = {
    id: `scenario-${scenario.name}`,
    index: 0,
    preferred: scenario.preferred,
    accepts: new Set(scenario.accepts),
    zone: scenario.zone,
    statesZone: true,
    statesPreference: true,
    optsOutOfUnaccepted: false,
    area: 0,
    billDay: 1,
    paysLate: false,
    unreachable: new Set(),
  };
  const events = scenario.steps
    .map(
      ([day, time, source, type, data], i): DepartmentEvent => ({
        specversion: '1.0',
        id: `${scenario.name}-${i}`,
        source,
        type,
        subject: customer.id,
        time: new Date(localInstant(start, scenario.zone, day, time)).toISOString(),
        data,
      }),
    )
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const onevoice = new CustomerWorld(gate, customer, { start, end, seed: 0, log: true }).run(
    events,
  );
  const naive = naiveOutcome(gate, customer, events, end);
  return { scenario, onevoice, naive, events };
}

/** The customer's days as lines: what they received, when, and what was held back and why. */
export function describeRun(run: ScenarioRun): string[] {
  const { scenario, onevoice, naive } = run;
  const zone = scenario.zone;
  const dayOf = (at: number) => Math.floor(wallClock(at, zone) / DAY);
  const firstDay = dayOf(Date.parse(run.events[0]!.time));
  const clock = (at: number) => {
    const m = localMinutes(at, zone);
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  };
  const lines = [
    `${scenario.name}: ${scenario.summary}`,
    `  (${zone}; prefers ${scenario.preferred})`,
  ];
  const byDay = new Map<number, string[]>();
  for (const s of onevoice.sends) {
    const day = dayOf(s.at) - firstDay + 1;
    const list = byDay.get(day) ?? [];
    list.push(
      `${clock(s.at)} ${s.channel.padEnd(6)} ${s.intentType}${s.members > 1 ? ` (+${s.members - 1} merged in)` : ''}`,
    );
    byDay.set(day, list);
  }
  for (const day of [...byDay.keys()].sort((a, b) => a - b))
    for (const [i, line] of byDay.get(day)!.entries())
      lines.push(`  ${i === 0 ? `day ${String(day).padStart(2)}` : '      '}  ${line}`);
  if (byDay.size === 0) lines.push('  nothing received');
  const held = (onevoice.decisionLog ?? []).filter(
    (d) => d.outcome !== 'approved' && d.outcome !== 'deferred',
  );
  const heldBack = new Map<string, number>();
  for (const d of held) {
    const key = `${d.intentType} from ${d.requestSource}: ${d.outcome} (${d.codes[d.codes.length - 1] ?? ''})`;
    heldBack.set(key, (heldBack.get(key) ?? 0) + 1);
  }
  if (heldBack.size > 0) lines.push('  held back:');
  for (const [what, n] of heldBack) lines.push(`    ${n > 1 ? `${n}× ` : ''}${what}`);
  lines.push(
    `  ${onevoice.sends.length} message(s) through OneVoice; ${naive.sends.length} if each department sent on its own.`,
  );
  return lines;
}
