import { Topics } from '@onevoice/contracts';
import {
  newCustomerId,
  paymentDue,
  postEvents,
  produceRaw,
  sleep,
  testStack,
  TopicTap,
} from '@onevoice/testing';

describe('the same event id sent twice is accepted once', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack.brokers, [
      Topics.contactRequests,
      Topics.decisions,
      Topics.deliveries,
    ]);
  });
  afterAll(() => tap.close());

  it('over HTTP and then over Kafka: one contact request, one decision, one delivery', async () => {
    const customer = newCustomerId('twice');
    const event = paymentDue(customer);
    expect((await postEvents(stack.services.ingest, event)).status).toBe(202);
    expect((await postEvents(stack.services.ingest, event)).status).toBe(202);
    await produceRaw(stack.brokers, Topics.events, [
      { key: customer, value: JSON.stringify(event) },
    ]);

    await tap.waitForMessages(
      'the delivery',
      (m) => m.topic === Topics.deliveries && m.key === customer,
    );
    // A duplicate would trail the first by at most a batch; give it time to show.
    await sleep(2_000);
    expect(tap.events(Topics.contactRequests, customer)).toHaveLength(1);
    expect(tap.events(Topics.decisions, customer)).toHaveLength(1);
    // One delivery, sent once (the provider may report it delivered meanwhile: same delivery).
    const deliveries = tap.events<{ data: { deliveryId: string; state: string } }>(
      Topics.deliveries,
      customer,
    );
    expect(new Set(deliveries.map((d) => d.data.deliveryId)).size).toBe(1);
    expect(deliveries.filter((d) => d.data.state === 'sent')).toHaveLength(1);
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
