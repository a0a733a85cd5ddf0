import {
  channelSchema,
  touchpointSchema,
  type Channel,
  type Touchpoint,
} from '@onevoice/contracts';
import { wallClock } from '@onevoice/policy';
import { z } from 'zod';
import { Random } from './random';

const share = z.number().min(0).max(1);
const rate = z.number().min(0);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');
const range = z.tuple([z.number().min(0), z.number().min(0)]);

const segmentSchema = z.object({
  share,
  accepts: z.partialRecord(channelSchema, share).default({}),
  pays: z.partialRecord(touchpointSchema, rate).default({}),
  selfService: z.partialRecord(z.enum(['web', 'app']), rate).default({}),
  contacts: z.partialRecord(z.enum(['voice', 'chat', 'email', 'sms', 'social', 'store']), rate),
});

/** config/population.yaml: who the simulated customers are and what departments send them. */
export const populationSchema = z.object({
  version: z.string().min(1),
  start: z.iso.datetime({ offset: true }),
  markets: z.array(z.object({ zone: z.string().min(1), share })).min(1),
  segments: z.partialRecord(channelSchema, segmentSchema),
  stated: z.object({
    preferredChannel: share,
    optOutOfUnaccepted: share,
    timeZone: share,
    optOutAfterUnwanted: share,
  }),
  quietHours: z.object({
    default: z.object({ start: clock, end: clock }),
    voice: z.object({ start: clock, end: clock }),
    silentChannels: z.array(channelSchema),
  }),
  responses: z.object({
    preferred: z.object({ open: share, act: share }),
    accepted: z.object({ open: share, act: share }),
    notAccepted: z.object({ open: share, act: share }),
    unreachable: z.partialRecord(channelSchema, share).default({}),
  }),
  departments: z.object({
    billing: z.object({ dueAfterDays: rate, lateShare: share, lateDays: range }),
    collections: z.object({ afterDays: rate }),
    network: z.object({
      areas: z.number().int().min(1),
      outagesPerAreaMonth: rate,
      hours: range,
      updateShare: share,
    }),
    loyalty: z.object({ offersPerMonth: rate }),
    service: z.object({ journeysPerYear: rate }),
    care: z.object({ replyShare: share, surveyShare: share }),
    usage: z.object({ perMonth: rate }),
    account: z.object({ perMonth: rate }),
  }),
});
export type PopulationConfig = z.infer<typeof populationSchema>;

/** One simulated customer: who they truly are, and what they told OneVoice. */
export interface SimCustomer {
  id: string;
  index: number;
  /** The channel they truly prefer (their segment). */
  preferred: Channel;
  /** Every channel they accept, the preferred one included. */
  accepts: ReadonlySet<Channel>;
  /** Their real zone, whether or not OneVoice learns it. */
  zone: string;
  statesZone: boolean;
  statesPreference: boolean;
  optsOutOfUnaccepted: boolean;
  area: number;
  /** Day of the month their bill comes (1–28), and whether they pay late. */
  billDay: number;
  paysLate: boolean;
  /** Channels whose address does not work for them. */
  unreachable: ReadonlySet<Channel>;
}

/** A department's event, as it arrives on ov.events.v1. */
export interface DepartmentEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype?: string;
  data: Record<string, unknown>;
}

export const DAY = 86_400_000;
const HOUR = 3_600_000;
const MONTH_DAYS = 30;

/** The population: its customers are drawn one at a time, each from the seed and its number. */
export class Population {
  readonly start: number;
  readonly end: number;
  readonly markets: readonly string[];
  private readonly outages: { area: number; at: number; hours: number; update: boolean }[][];

  constructor(
    readonly config: PopulationConfig,
    readonly seed: number,
    readonly days: number,
  ) {
    this.start = Date.parse(config.start);
    this.end = this.start + days * DAY;
    this.markets = config.markets.map((m) => m.zone);
    const net = config.departments.network;
    const rng = new Random(seed, 0x0a7a9e);
    this.outages = Array.from({ length: net.areas }, (_, area) => {
      const list = [];
      const count = rng.poisson((net.outagesPerAreaMonth * days) / MONTH_DAYS);
      for (let i = 0; i < count; i++)
        list.push({
          area,
          at: this.start + rng.next() * days * DAY,
          hours: rng.between(net.hours[0], net.hours[1]),
          update: rng.next() < net.updateShare,
        });
      return list.sort((a, b) => a.at - b.at);
    });
  }

  customer(index: number): SimCustomer {
    const c = this.config;
    const rng = new Random(this.seed, index);
    const segments = Object.entries(c.segments) as [Channel, z.infer<typeof segmentSchema>][];
    const preferred = rng.weighted(segments.map(([ch, s]) => [ch, s.share]));
    const segment = c.segments[preferred]!;
    const accepts = new Set<Channel>([preferred]);
    for (const [ch, odds] of Object.entries(segment.accepts) as [Channel, number][])
      if (rng.next() < odds) accepts.add(ch);
    const unreachable = new Set<Channel>();
    for (const [ch, odds] of Object.entries(c.responses.unreachable) as [Channel, number][])
      if (rng.next() < odds) unreachable.add(ch);
    const statesPreference = rng.next() < c.stated.preferredChannel;
    return {
      id: `sim-${this.seed}-${index}`,
      index,
      preferred,
      accepts,
      zone: rng.weighted(c.markets.map((m) => [m.zone, m.share])),
      statesZone: rng.next() < c.stated.timeZone,
      statesPreference,
      optsOutOfUnaccepted: statesPreference && rng.next() < c.stated.optOutOfUnaccepted,
      area: Math.floor(rng.next() * c.departments.network.areas),
      billDay: 1 + Math.floor(rng.next() * 28),
      paysLate: rng.next() < c.departments.billing.lateShare,
      unreachable,
    };
  }

  /**
   * Everything the departments (and the customer, through them) send about one customer over the
   * period, in time order: the same events a company would put on ov.events.v1.
   */
  eventsOf(customer: SimCustomer): DepartmentEvent[] {
    return new CustomerStory(this, customer).events();
  }

  outagesIn(area: number) {
    return this.outages[area] ?? [];
  }
}

/** Writes one customer's period, event by event. */
class CustomerStory {
  private readonly rng: Random;
  private readonly out: { at: number; seq: number; event: DepartmentEvent }[] = [];
  private seq = 0;
  private readonly segment;
  private readonly c: PopulationConfig;

  constructor(
    private readonly population: Population,
    private readonly customer: SimCustomer,
  ) {
    this.rng = new Random(population.seed, customer.index, 0x5709);
    this.c = population.config;
    this.segment = this.c.segments[customer.preferred]!;
  }

  events(): DepartmentEvent[] {
    this.preferences();
    this.bills();
    this.outages();
    this.offers();
    this.journeys();
    this.care();
    this.selfService();
    this.occasional('usage.threshold_near', 'network', this.c.departments.usage.perMonth, {
      percent: 80,
      allowance: 'data',
    });
    this.occasional('account.change_notice', 'billing', this.c.departments.account.perMonth, {
      change: 'Your plan changes next month',
    });
    const end = this.population.end;
    return this.out
      .filter((e) => e.at < end)
      .sort((a, b) => a.at - b.at || a.seq - b.seq)
      .map((e) => e.event);
  }

  private emit(at: number, source: string, type: string, data: Record<string, unknown>): string {
    const seq = this.seq++;
    const id = `${this.customer.index}-${seq}`;
    const ms = Math.round(at);
    this.out.push({
      at: ms,
      seq,
      event: {
        specversion: '1.0',
        id,
        source,
        type,
        subject: this.customer.id,
        time: new Date(ms).toISOString(),
        data,
      },
    });
    return id;
  }

  /** A time in the customer's day: `from`–`to` local hours on the day of `at`. */
  private localTime(day: number, from: number, to: number): number {
    const local = this.population.start + day * DAY;
    const offset = zoneOffsetHours(this.customer.zone, local);
    return local + (this.rng.between(from, to) - offset) * HOUR;
  }

  private preferences(): void {
    const { customer } = this;
    if (!customer.statesPreference && !customer.statesZone) return;
    const at = this.population.start + this.rng.between(0, 14) * DAY;
    const unaccepted = customer.optsOutOfUnaccepted
      ? (['voice', 'sms', 'letter'] as Channel[]).filter((ch) => !customer.accepts.has(ch))
      : [];
    this.emit(at, 'digital', 'preference.changed', {
      ...(customer.statesPreference ? { preferredChannel: customer.preferred } : {}),
      ...(customer.statesZone ? { timeZone: customer.zone } : {}),
      ...(unaccepted.length > 0 ? { optOut: unaccepted.map((channel) => ({ channel })) } : {}),
      via: 'web',
    });
  }

  private payChannel(): Touchpoint {
    return this.rng.weighted(Object.entries(this.segment.pays) as [Touchpoint, number][]);
  }

  private bills(): void {
    const { customer, population } = this;
    const billing = this.c.departments.billing;
    for (let month = -1; month * MONTH_DAYS < population.days; month++) {
      const billAt = this.localTime(month * MONTH_DAYS + customer.billDay, 9, 11);
      const dueAt = billAt + billing.dueAfterDays * DAY;
      if (dueAt < population.start) continue;
      const key = `bill:${customer.id}:${month}`;
      if (billAt >= population.start)
        this.emit(billAt, 'billing', 'billing.payment_due', {
          intentKey: key,
          action: { url: `https://pay.example.com/${month}` },
          variables: { amount: '42.00', dueDate: new Date(dueAt).toISOString().slice(0, 10) },
        });
      const late = customer.paysLate && this.rng.next() < 0.7;
      const paidAt = late
        ? dueAt + this.rng.between(billing.lateDays[0], billing.lateDays[1]) * DAY
        : billAt + this.rng.between(0.5, billing.dueAfterDays - 1) * DAY;
      if (late) {
        const overdueAt = dueAt + this.c.departments.collections.afterDays * DAY;
        if (overdueAt < paidAt) {
          const caseId = `collections:${key}`;
          this.emit(overdueAt, 'collections', 'case.opened', { caseId, kind: 'collections' });
          this.emit(overdueAt + 60_000, 'collections', 'collections.payment_overdue', {
            intentKey: `overdue:${key}`,
            action: { url: `https://pay.example.com/${month}/plan` },
            variables: { amount: '42.00' },
          });
          this.emit(paidAt + 60_000, 'collections', 'case.closed', {
            caseId,
            kind: 'collections',
          });
          this.emit(paidAt + 30_000, 'collections', 'interaction.fulfilled', {
            intentKey: `overdue:${key}`,
          });
        }
      }
      if (paidAt >= population.start)
        this.emit(paidAt, 'billing', 'interaction.payment', {
          channel: this.payChannel(),
          amount: '42.00',
          fulfils: key,
        });
    }
  }

  private outages(): void {
    for (const o of this.population.outagesIn(this.customer.area)) {
      const key = `outage:${o.area}:${o.at}`;
      const fixedAt = o.at + o.hours * HOUR;
      this.emit(o.at, 'network', 'case.opened', { caseId: key, kind: 'outage' });
      this.emit(o.at + 60_000, 'network', 'network.outage', {
        intentKey: key,
        action: { url: 'https://status.example.com' },
        variables: { area: `area ${o.area}`, service: 'broadband', eta: 'soon' },
        update: 1,
      });
      if (o.update)
        this.emit(o.at + (o.hours / 2) * HOUR, 'network', 'network.outage', {
          intentKey: key,
          action: { url: 'https://status.example.com' },
          variables: { area: `area ${o.area}`, service: 'broadband', eta: 'within hours' },
          update: 2,
        });
      this.emit(fixedAt, 'network', 'case.closed', { caseId: key, kind: 'outage' });
      this.emit(fixedAt + 60_000, 'network', 'network.outage_resolved', {
        intentKey: `${key}:resolved`,
        action: { url: 'https://status.example.com' },
        variables: { area: `area ${o.area}`, service: 'broadband' },
      });
    }
  }

  private offers(): void {
    const { offersPerMonth } = this.c.departments.loyalty;
    const count = Math.round((offersPerMonth * this.population.days) / MONTH_DAYS);
    // Campaigns are the company's, the same days for everyone: drawn from the seed alone.
    const campaigns = new Random(this.population.seed, 0x10ca1);
    for (let i = 0; i < count; i++) {
      const day = Math.floor(campaigns.next() * this.population.days);
      this.emit(this.localTime(day, 10, 16), 'loyalty', 'loyalty.offer', {
        intentKey: `offer:${i}`,
        action: { url: `https://offers.example.com/${i}` },
        variables: { offer: `Offer ${i}` },
      });
    }
  }

  /** The car-service story: due → booked → tomorrow → in the workshop → ready → survey → check-in. */
  private journeys(): void {
    const { days } = this.population;
    const count = this.rng.poisson((this.c.departments.service.journeysPerYear * days) / 365);
    for (let j = 0; j < count; j++) {
      const day = Math.floor(this.rng.next() * days);
      const key = `service:${this.customer.id}:${j}`;
      this.emit(this.localTime(day, 9, 12), 'care', 'service.appointment_due', {
        intentKey: key,
        action: { url: 'https://service.example.com/book' },
        variables: { vehicle: 'your car', dueDate: 'soon' },
      });
      const bookedDay = day + 1 + Math.floor(this.rng.next() * 6);
      const bookedAt = this.localTime(bookedDay, 8, 20);
      this.emit(bookedAt, 'care', 'interaction.fulfilled', { intentKey: key });
      this.emit(bookedAt + 60_000, 'care', 'service.booking_confirmed', {
        intentKey: `${key}:booked`,
        action: { url: 'https://service.example.com/change' },
        variables: { date: 'the date', place: 'the garage' },
      });
      const visitDay = bookedDay + 3 + Math.floor(this.rng.next() * 7);
      const visitAt = this.localTime(visitDay, 8, 10);
      this.emit(visitAt - DAY, 'care', 'service.appointment_tomorrow', {
        intentKey: `${key}:tomorrow`,
        action: { url: 'https://service.example.com/change' },
        variables: { time: 'the time', place: 'the garage' },
        notBefore: new Date(visitAt - DAY).toISOString(),
      });
      const caseId = `service-case:${key}`;
      this.emit(visitAt, 'care', 'case.opened', { caseId, kind: 'service' });
      const readyAt = visitAt + this.rng.between(4, 8) * HOUR;
      this.emit(readyAt, 'care', 'service.ready_for_pickup', {
        intentKey: `${key}:ready`,
        action: { url: 'https://service.example.com/ready' },
        variables: { vehicle: 'your car', place: 'the garage', closing: '18:00' },
      });
      const pickedAt = readyAt + this.rng.between(1, 3) * HOUR;
      this.emit(pickedAt, 'care', 'case.closed', { caseId, kind: 'service' });
      this.emit(pickedAt + 60_000, 'care', 'survey.requested', {
        surveyType: 'post-service',
        interactionId: caseId,
        channel: 'store',
      });
      this.emit(pickedAt + 2 * DAY, 'sales', 'service.check_in', {
        intentKey: `${key}:check-in`,
        action: { url: 'https://service.example.com/how' },
        variables: { product: 'car' },
      });
    }
  }

  /** Contacts the customer starts, on their own channels; each may get an answer and a survey. */
  private care(): void {
    const { days } = this.population;
    const care = this.c.departments.care;
    for (const [channel, perMonth] of Object.entries(this.segment.contacts) as [string, number][]) {
      const count = this.rng.poisson((perMonth * days) / MONTH_DAYS);
      for (let i = 0; i < count; i++) {
        const at = this.localTime(Math.floor(this.rng.next() * days), 8, 20);
        const interactionId = this.emit(at, 'care', 'interaction.inbound_contact', {
          channel,
          reason: 'a question',
        });
        if (this.rng.next() < care.replyShare)
          this.emit(at + this.rng.between(1, 24) * HOUR, 'care', 'care.reply', {
            intentKey: `care:${interactionId}`,
            action: { url: 'https://care.example.com/answer' },
            variables: { topic: 'your question', answer: 'Here is the answer.' },
            replyTo: { channel, interactionId },
          });
        if (this.rng.next() < care.surveyShare)
          this.emit(at + 30 * 60_000, 'surveys', 'survey.requested', {
            surveyType: channel === 'voice' ? 'post-call' : 'general',
            interactionId,
            channel,
          });
      }
    }
  }

  private selfService(): void {
    const { days } = this.population;
    for (const [channel, perMonth] of Object.entries(this.segment.selfService) as [
      string,
      number,
    ][]) {
      const count = this.rng.poisson((perMonth * days) / MONTH_DAYS);
      for (let i = 0; i < count; i++)
        this.emit(
          this.localTime(Math.floor(this.rng.next() * days), 7, 23),
          'digital',
          'interaction.self_service',
          { channel, action: 'checked the account' },
        );
    }
  }

  private occasional(
    type: string,
    source: string,
    perMonth: number,
    variables: Record<string, unknown>,
  ): void {
    const { days } = this.population;
    const count = this.rng.poisson((perMonth * days) / MONTH_DAYS);
    for (let i = 0; i < count; i++)
      this.emit(this.localTime(Math.floor(this.rng.next() * days), 9, 17), source, type, {
        intentKey: `${type}:${this.customer.id}:${i}`,
        action: { url: 'https://example.com/details' },
        variables,
      });
  }
}

/** A zone's offset from UTC in hours at `at`. */
function zoneOffsetHours(zone: string, at: number): number {
  return (wallClock(at, zone) - at) / HOUR;
}
