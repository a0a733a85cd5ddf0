import { Topics } from '@onevoice/contracts';
import {
  daytimeZone,
  newCustomerId,
  paymentDue,
  postEvents,
  produceRaw,
  Story,
  testStack,
  TopicTap,
} from '@onevoice/testing';

describe('the same event id sent twice is accepted once', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.contactRequests, Topics.decisions]);
  });
  afterAll(() => tap.close());

  it('over HTTP and then over Kafka: one contact request, one decision, one delivery', async () => {
    const story = await Story.begin(stack, 'twice');
    try {
      // Where it is daytime by the services' clock: the bill goes out now, whatever the hour.
      await story.profile({ timeZone: daytimeZone() });
      const customer = story.customerId;
      const event = paymentDue(customer);
      expect((await postEvents(stack.services.ingest, event)).status).toBe(202);
      expect((await postEvents(stack.services.ingest, event)).status).toBe(202);
      await produceRaw(stack, Topics.events, [{ key: customer, value: JSON.stringify(event) }]);
      // The barrier: another request of the same customer, sent after the copies. It travels
      // behind them on every topic (same key, same partition), so once it is decided, any
      // contact request or decision a copy caused has been published before it.
      const marker = paymentDue(customer, {
        data: {
          intentKey: `marker:${customer}`,
          variables: { amount: '1.00 EUR', dueDate: '2026-12-31' },
          action: { url: 'https://pay.example.test/marker' },
        },
      });
      expect((await postEvents(stack.services.ingest, marker)).status).toBe(202);
      await story.decided(marker.id);

      const requests = tap.events<{ id: string }>(Topics.contactRequests, customer);
      expect(requests.filter((r) => r.id === event.id)).toHaveLength(1);
      const decisions = story.decisions().filter((d) => d.data.requestId === event.id);
      expect(decisions).toHaveLength(1);
      // One delivery of it, sent once (the provider may report it delivered meanwhile).
      await story.waitFor('the bill sent', () =>
        story.deliveries().find((d) => d.data.state === 'sent' && d.data.requestId === event.id),
      );
      const deliveries = story.deliveries().filter((d) => d.data.requestId === event.id);
      expect(new Set(deliveries.map((d) => d.data.deliveryId)).size).toBe(1);
      expect(deliveries.filter((d) => d.data.state === 'sent')).toHaveLength(1);
    } finally {
      await story.end();
    }
  });

  it('the same id from two departments is two events', async () => {
    const customer = newCustomerId('twice');
    const id = `shared-${customer}`;
    const fromBilling = paymentDue(customer, { id });
    const fromCare = { ...paymentDue(customer, { id, source: 'care', type: 'care.reply' }) };
    fromCare.data = {
      intentKey: `care:${customer}`,
      variables: { topic: 'roaming', answer: 'It is on.' },
      action: { url: 'https://help.example.test/' },
    };
    expect(
      (await postEvents(stack.services.ingest, fromBilling, { token: 'dev-billing' })).status,
    ).toBe(202);
    expect((await postEvents(stack.services.ingest, fromCare, { token: 'dev-care' })).status).toBe(
      202,
    );
    const decided = await tap.waitForMessages(
      'a decision for each',
      (m) => m.topic === Topics.decisions && m.key === customer,
      { count: 2 },
    );
    const sources = decided.map(
      (d) =>
        (JSON.parse(d.value!.toString()) as { data: { requestSource: string } }).data.requestSource,
    );
    expect(sources.sort()).toEqual(['billing', 'care']);
  });
});
