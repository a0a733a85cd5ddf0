import { Topics } from '@onevoice/contracts';
import {
  newCustomerId,
  paymentDue,
  postEvents,
  produceRaw,
  testStack,
  waitFor,
} from '@onevoice/testing';

/** One series of a Prometheus text exposition. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(service: string): Promise<Sample[]> {
  const res = await fetch(`${service}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const samples: Sample[] = [];
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of a metric's series that carry these labels. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

describe('GET /metrics (Prometheus)', () => {
  const stack = testStack();

  it('counts what was published, decided, read and dead-lettered, and shows the consumer lag', async () => {
    const { coordinator, ingest } = stack.services;
    const [coordinatorBefore, ingestBefore] = await Promise.all([
      scrape(coordinator),
      scrape(ingest),
    ]);
    const customer = newCustomerId('metrics');
    expect((await postEvents(ingest, paymentDue(customer))).status).toBe(202);
    // Not a CloudEvent: the coordinator dead-letters it and carries on.
    await produceRaw(stack, Topics.contactRequests, [
      { key: customer, value: Buffer.from('not an event') },
    ]);

    const delta = (after: Sample[], before: Sample[], name: string, labels = {}) =>
      total(after, name, labels) - total(before, name, labels);
    const after = await waitFor('the decision and the dead letter counted', async () => {
      const now = await scrape(coordinator);
      return delta(now, coordinatorBefore, 'onevoice_decisions_total') >= 1 &&
        delta(now, coordinatorBefore, 'onevoice_messages_dead_lettered_total', {
          topic: Topics.contactRequests,
        }) >= 1
        ? now
        : undefined;
    });

    const counted: [string, Record<string, string>][] = [
      ['onevoice_decisions_total', { outcome: 'approved' }],
      // Each rule that fired, with its reason code.
      ['onevoice_decision_reasons_total', { outcome: 'approved', rule: 'channel-choice' }],
      // Contacts per customer per contact-budget window, observed at each approval.
      ['onevoice_contacts_in_window_count', { window: 'daily' }],
      ['onevoice_contacts_in_window_bucket', { window: 'daily', le: '1' }],
      // How long the request waited for its decision (the gate's latency), in seconds.
      ['onevoice_decision_latency_seconds_count', {}],
      ['onevoice_decision_latency_seconds_bucket', { le: '300' }],
      ['onevoice_messages_consumed_total', { topic: Topics.contactRequests, outcome: 'handled' }],
      [
        'onevoice_messages_consumed_total',
        { topic: Topics.contactRequests, outcome: 'dead_lettered' },
      ],
      [
        'onevoice_messages_published_total',
        { topic: Topics.decisions, type: 'ov.decision.approved' },
      ],
    ];
    for (const [name, labels] of counted)
      expect({ name, labels, rose: delta(after, coordinatorBefore, name, labels) >= 1 }).toEqual({
        name,
        labels,
        rose: true,
      });

    // The lag of every partition of the topic, for the coordinator's group.
    const lag = after.filter(
      (s) =>
        s.name === 'onevoice_consumer_lag' &&
        s.labels.topic === Topics.contactRequests &&
        s.labels.group === stack.groups.coordinator,
    );
    expect(lag.map((s) => Number(s.labels.partition)).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const s of lag) expect(s.value).toBeGreaterThanOrEqual(0);

    // Ingest counts what it accepted and passed on.
    const ingestAfter = await scrape(ingest);
    expect(
      delta(ingestAfter, ingestBefore, 'onevoice_messages_published_total', {
        topic: Topics.contactRequests,
        type: 'billing.payment_due',
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});
