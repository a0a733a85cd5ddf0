import { Topics } from '@onevoice/contracts';
import {
  daytimeZone,
  newCustomerId,
  paymentDue,
  postEvents,
  testStack,
  TopicTap,
  waitFor,
  type CollectedSpan,
  STAFF,
} from '@onevoice/testing';
import { Client } from 'pg';

const SPAN_KIND = { server: 2, client: 3, producer: 4, consumer: 5 };

describe('one OpenTelemetry trace spans every hop across Kafka', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.deliveries]);
  });
  afterAll(() => tap.close());

  it('ingest span → coordinator span → dispatcher span → provider call, with parent links intact', async () => {
    const customer = newCustomerId('trace');
    // Daytime for the customer, so the message goes out now rather than after the night.
    const prefs = await fetch(
      `${stack.services['behaviour-profiler']}/v1/customers/${customer}/preferences`,
      {
        method: 'PUT',
        headers: { authorization: STAFF.ops, 'content-type': 'application/json' },
        body: JSON.stringify({ timeZone: daytimeZone(), preferredChannel: 'email' }),
      },
    );
    expect(prefs.status).toBe(200);
    await waitFor('the profile in the coordinator', async () => {
      const db = new Client({ connectionString: stack.databaseUrl });
      await db.connect();
      try {
        const r = await db.query('SELECT 1 FROM coordinator.profiles WHERE customer_id = $1', [
          customer,
        ]);
        return r.rowCount ? true : undefined;
      } finally {
        await db.end();
      }
    });
    expect((await postEvents(stack.services.ingest, paymentDue(customer))).status).toBe(202);
    const [delivery] = await tap.waitForMessages(
      'the delivery sent',
      (m) =>
        m.topic === Topics.deliveries &&
        m.key === customer &&
        m.value!.toString().includes('"state":"sent"'),
    );

    // The delivery message itself carries the trace it belongs to.
    const traceparent = delivery!.headers.traceparent;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const traceId = traceparent!.split('-')[1]!;

    // The provider call, made later by the sender, continues the decision's trace.
    const isDeliverSpan = (s: CollectedSpan) =>
      s.service === 'dispatcher' && s.kind === SPAN_KIND.client && s.name === 'deliver email';
    const isDispatcherSpan = (s: CollectedSpan) =>
      s.service === 'dispatcher' &&
      s.kind === SPAN_KIND.consumer &&
      s.name === `process ${Topics.decisions}`;
    const spans = await waitFor(
      'the spans of all three services',
      async () => {
        const res = await fetch(`${stack.collectorUrl}/spans?traceId=${traceId}`);
        const found = (await res.json()) as CollectedSpan[];
        return found.some(isDeliverSpan) && found.some((s) => s.kind === SPAN_KIND.server)
          ? found
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );

    // Walk from the dispatcher's span to the root: every parent must have been exported.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const chain: CollectedSpan[] = [];
    for (
      let span = spans.find(isDeliverSpan);
      span;
      span = span.parentSpanId ? byId.get(span.parentSpanId) : undefined
    ) {
      chain.push(span);
      if (span.parentSpanId) expect(byId.has(span.parentSpanId)).toBe(true);
    }
    const hops = chain.reverse().map((s) => `${s.service}: ${s.name}`);
    expect(hops).toEqual([
      'ingest: POST /v1/events',
      `ingest: send ${Topics.events}`,
      `ingest: process ${Topics.events}`,
      `ingest: send ${Topics.contactRequests}`,
      `coordinator: process ${Topics.contactRequests}`,
      `coordinator: send ${Topics.decisions}`,
      `dispatcher: process ${Topics.decisions}`,
      'dispatcher: deliver email',
    ]);
    expect(spans.some(isDispatcherSpan)).toBe(true);
    const coordinatorSpan = chain.find(
      (s) => s.service === 'coordinator' && s.kind === SPAN_KIND.consumer,
    )!;
    expect(coordinatorSpan.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': Topics.contactRequests,
      'messaging.consumer.group.name': stack.groups.coordinator,
      'messaging.kafka.message.key': customer,
    });
    expect(
      chain
        .filter((s) => s.kind === SPAN_KIND.producer)
        .every((s) => s.attributes['messaging.operation.type'] === 'send'),
    ).toBe(true);
    const deliver = chain[chain.length - 1]!;
    expect(deliver.attributes).toMatchObject({
      'onevoice.provider': 'capture',
      'onevoice.attempt': 1,
    });
  });
});
