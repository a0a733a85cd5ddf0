import { Topics } from '@onevoice/contracts';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  Population,
  populationSchema,
  type DepartmentEvent,
} from '../../apps/coordinator/src/simulation/population';
import { Random } from '../../apps/coordinator/src/simulation/random';

/** One input of the run, as the load generator sent it. */
export interface Input {
  id: string;
  source: string;
  type: string;
  subject: string;
  via: 'http' | 'kafka';
  /** Sent malformed on purpose: it must be refused (4xx) or dead-lettered, never acted on. */
  invalid?: string;
  /** What ingest answered over HTTP (the last answer, after retries). */
  status?: number;
}

/**
 * The run's inputs: the simulator's population (config/population.yaml) over a week from the
 * services' now — bills, payments, collections, outages, campaigns, the car-service journey, care
 * contacts and their surveys, preference changes — in the order they happen, until `count`.
 * A share (`invalidShare`) is made malformed in ways ingest must refuse.
 */
export function inputsOf(
  count: number,
  seed: number,
  now: Date,
  invalidShare = 0.02,
): { event: DepartmentEvent | string; input: Input }[] {
  const config = populationSchema.parse(
    parse(readFileSync('config/population.yaml', 'utf8')) as unknown,
  );
  const population = new Population({ ...config, start: now.toISOString() }, seed, 7);
  const events: DepartmentEvent[] = [];
  for (let i = 0; events.length < count; i++)
    events.push(...population.eventsOf(population.customer(i)));
  events.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const rng = new Random(seed, 0xc4a05);
  return events.slice(0, count).map((event) => {
    const via = rng.next() < 0.5 ? 'http' : 'kafka';
    const input: Input = {
      id: event.id,
      source: event.source,
      type: event.type,
      subject: event.subject,
      via,
    };
    if (rng.next() >= invalidShare) return { event, input };
    const broken = breakEvent(event, rng);
    return { event: broken.event, input: { ...input, invalid: broken.how } };
  });
}

/** A valid event made invalid, in one of the ways another team's bug would. */
function breakEvent(
  e: DepartmentEvent,
  rng: Random,
): { event: DepartmentEvent | string; how: string } {
  switch (Math.floor(rng.next() * 5)) {
    case 0:
      return { event: `${JSON.stringify(e).slice(0, 40)}`, how: 'truncated JSON' };
    case 1:
      return { event: { ...e, type: 'billing.no_such_intent' }, how: 'unknown type' };
    case 2:
      return { event: { ...e, subject: '' }, how: 'empty subject' };
    case 3:
      return { event: { ...e, time: 'yesterday' }, how: 'impossible time' };
    default:
      return {
        event: { ...e, data: { ...e.data, action: { url: 'javascript:alert(1)' } } },
        how: 'javascript: action URL',
      };
  }
}

/** Sends inputs over HTTP (ingest) and Kafka (ov.events.v1), retrying what a fault interrupted. */
export class LoadGenerator {
  private producer?: Producer;
  /** HTTP answers other than 2xx for valid inputs, by status. */
  readonly refusedValid: Record<string, number> = {};
  retries = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly ingestUrl: () => string,
    /** The services' time: events say they happened now. */
    private readonly now: () => Date,
  ) {}

  async start(): Promise<void> {
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 30, maxRetryTime: 10_000 },
    });
    await this.producer.connect();
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
  }

  /** Sends one batch: the Kafka ones in one produce, the HTTP ones side by side. */
  async send(batch: { event: DepartmentEvent | string; input: Input }[]): Promise<void> {
    const stamped = batch.map(({ event, input }) => ({
      input,
      body:
        typeof event === 'string'
          ? event
          : JSON.stringify({
              ...event,
              time: event.time === 'yesterday' ? event.time : this.now().toISOString(),
            }),
    }));
    const kafka = stamped.filter((s) => s.input.via === 'kafka');
    const http = stamped.filter((s) => s.input.via === 'http');
    await Promise.all([
      kafka.length > 0 ? this.produce(kafka) : Promise.resolve(),
      ...http.map((s) => this.post(s.input, s.body)),
    ]);
  }

  private async produce(items: { input: Input; body: string }[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.producer!.send({
          topic: Topics.events,
          acks: -1,
          messages: items.map((s) => ({ key: s.input.subject || 'no-subject', value: s.body })),
        });
        return;
      } catch (err) {
        // A broker restart: the batch is sent again (the idempotent producer and ingest's
        // per-(source, id) dedupe make that harmless).
        this.retries++;
        if (attempt > 60) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /** POSTs one event, again (same id) until ingest answers: a client retrying through a fault. */
  private async post(input: Input, body: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${this.ingestUrl()}/v1/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer dev-${input.source}`,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      }).catch(() => undefined);
      if (res && res.status < 500) {
        input.status = res.status;
        await res.body?.cancel();
        if (!input.invalid && res.status >= 300)
          this.refusedValid[res.status] = (this.refusedValid[res.status] ?? 0) + 1;
        return;
      }
      await res?.body?.cancel();
      this.retries++;
      if (attempt > 120) throw new Error(`ingest did not take ${input.id} after ${attempt} tries`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
