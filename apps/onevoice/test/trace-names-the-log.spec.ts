import { Topics } from '@onevoice/contracts';
import {
  newCustomerId,
  paymentDue,
  testStack,
  waitFor,
  type CollectedSpan,
} from '@onevoice/testing';
import { randomBytes } from 'node:crypto';

const SPAN_KIND = { producer: 4, consumer: 5 };

/**
 * In the embedded mode the messages go through OneVoice's own log, and its spans say so: an SRE's
 * Kafka dashboards (messaging.system = kafka) must not count them. The rest of a span is as over
 * Kafka: topic, consumer group, key, the one trace from the POST to the decision.
 */
describe('spans in the embedded mode', () => {
  const stack = testStack();

  it('name the embedded log as the messaging system, in the request’s own trace', async () => {
    const customer = newCustomerId('trace-embedded');
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${stack.services.ingest}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer dev-billing',
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify(paymentDue(customer)),
    });
    expect(res.status).toBe(202);

    const isDecisionConsumer = (s: CollectedSpan) =>
      s.kind === SPAN_KIND.consumer && s.name === `process ${Topics.contactRequests}`;
    const isDecisionProducer = (s: CollectedSpan) =>
      s.kind === SPAN_KIND.producer && s.name === `send ${Topics.decisions}`;
    const spans = await waitFor(
      'the coordinator’s spans of the request',
      async () => {
        const found = (await (
          await fetch(`${stack.collectorUrl}/spans?traceId=${traceId}`)
        ).json()) as CollectedSpan[];
        return found.some(isDecisionConsumer) && found.some(isDecisionProducer) ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(spans.find(isDecisionConsumer)!.attributes).toMatchObject({
      'messaging.system': 'onevoice_log',
      'messaging.operation.type': 'process',
      'messaging.destination.name': Topics.contactRequests,
      'messaging.consumer.group.name': stack.groups.coordinator,
      'messaging.kafka.message.key': customer,
    });
    expect(spans.find(isDecisionProducer)!.attributes).toMatchObject({
      'messaging.system': 'onevoice_log',
      'messaging.operation.type': 'send',
      'messaging.destination.name': Topics.decisions,
    });
    const messagingSpans = spans.filter((s) => 'messaging.system' in s.attributes);
    expect(messagingSpans.every((s) => s.attributes['messaging.system'] === 'onevoice_log')).toBe(
      true,
    );
  });
});
