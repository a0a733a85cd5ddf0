import { Topics } from '@onevoice/contracts';
import {
  newCustomerId,
  paymentDue,
  postEvents,
  testStack,
  TopicTap,
  waitFor,
  type CollectedSpan,
} from '@onevoice/testing';

const SPAN_KIND = { server: 2, producer: 4, consumer: 5 };

describe('one OpenTelemetry trace spans every hop across Kafka', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack.brokers, [Topics.deliveries]);
  });
  afterAll(() => tap.close());

  it('ingest span → coordinator span → dispatcher span, with parent links intact', async () => {
    const customer = newCustomerId('trace');
    expect((await postEvents(stack.services.ingest, paymentDue(customer))).status).toBe(202);
    const [delivery] = await tap.waitForMessages(
      'the delivery',
      (m) => m.topic === Topics.deliveries && m.key === customer,
    );

    // The delivery message itself carries the trace it belongs to.
    const traceparent = delivery!.headers.traceparent;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const traceId = traceparent!.split('-')[1]!;

    const isDispatcherSpan = (s: CollectedSpan) =>
      s.service === 'dispatcher' &&
      s.kind === SPAN_KIND.consumer &&
      s.name === `process ${Topics.decisions}`;
    const spans = await waitFor(
      'the spans of all three services',
      async () => {
        const res = await fetch(`${stack.collectorUrl}/spans?traceId=${traceId}`);
        const found = (await res.json()) as CollectedSpan[];
        return found.some(isDispatcherSpan) && found.some((s) => s.kind === SPAN_KIND.server)
          ? found
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );

    // Walk from the dispatcher's span to the root: every parent must have been exported.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const chain: CollectedSpan[] = [];
    for (
      let span = spans.find(isDispatcherSpan);
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
    ]);
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
    // The dispatcher's database work is inside its span.
    expect(
      spans.some(
        (s) =>
          (s.service === 'dispatcher' && s.attributes['db.system'] === 'postgresql') ||
          (s.service === 'dispatcher' && s.attributes['db.system.name'] === 'postgresql'),
      ),
    ).toBe(true);
  });
});
