import { DeadLetterHeaders, Topics } from '@onevoice/contracts';
import { newCustomerId, paymentDue, produceRaw, testStack, TopicTap } from '@onevoice/testing';

describe('bad input on ov.events.v1 goes to ov.dlq.v1 and the consumer carries on', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.deadLetters, Topics.decisions, Topics.deliveries]);
  });
  afterAll(() => tap.close());

  it('a malformed message between two good ones: both good ones are decided, the bad one dead-lettered', async () => {
    const customer = newCustomerId('dlq');
    const first = paymentDue(customer, { data: intent(`first:${customer}`) });
    const second = paymentDue(customer, { data: intent(`second:${customer}`) });
    const garbage = Buffer.from([
      0x7b, 0x22, 0xff, 0xfe, 0x6e, 0x6f, 0x74, 0x20, 0x4a, 0x53, 0x4f, 0x4e,
    ]);
    // One key: one partition, so the bad message sits between the good ones in the log.
    await produceRaw(stack, Topics.events, [
      { key: customer, value: JSON.stringify(first) },
      { key: customer, value: garbage },
      { key: customer, value: JSON.stringify(second) },
    ]);

    // Both reach the coordinator (the second then waits for the customer's daily contact budget).
    const decisions = await tap.waitForMessages(
      'both good events decided',
      (m) => m.topic === Topics.decisions && m.key === customer,
      { count: 2 },
    );
    const requestIds = decisions.map(
      (d) => (JSON.parse(d.value!.toString()) as { data: { requestId: string } }).data.requestId,
    );
    expect(requestIds.sort()).toEqual([first.id, second.id].sort());

    const [dead] = await tap.waitForMessages(
      'the dead letter',
      (m) => m.topic === Topics.deadLetters && m.key === customer,
    );
    expect(dead!.value!.equals(garbage)).toBe(true);
    expect(dead!.headers[DeadLetterHeaders.reason]).toMatch(/malformed JSON/);
    expect(dead!.headers[DeadLetterHeaders.sourceTopic]).toBe(Topics.events);
    expect(dead!.headers[DeadLetterHeaders.consumer]).toBe(stack.groups.ingest);
  });

  it.each([
    [
      'a missing required field',
      (c: string) => withoutIntentKey(paymentDue(c)),
      'data.intentKey',
      /intentKey/,
    ],
    [
      'an unknown event type',
      (c: string) => paymentDue(c, { type: 'billing.unheard_of' }),
      'type',
      /unknown event type "billing.unheard_of"/,
    ],
    [
      'a source that is not a department',
      (c: string) => paymentDue(c, { source: 'mallory' }),
      'source',
      /unknown source "mallory"/,
    ],
    ['no customer id', (c: string) => ({ ...paymentDue(c), subject: '' }), 'subject', /subject/],
  ])(
    '%s is dead-lettered with the field at fault and its original bytes',
    async (_label, make, field, reason) => {
      const customer = newCustomerId('dlq');
      const bytes = Buffer.from(JSON.stringify(make(customer)));
      await produceRaw(stack, Topics.events, [{ key: customer, value: bytes }]);
      const [dead] = await tap.waitForMessages(
        'the dead letter',
        (m) => m.topic === Topics.deadLetters && m.key === customer,
      );
      expect(dead!.headers[DeadLetterHeaders.field]).toBe(field);
      expect(dead!.headers[DeadLetterHeaders.reason]).toMatch(reason);
      expect(dead!.value!.equals(bytes)).toBe(true);
      expect(
        tap.messages.filter((m) => m.topic === Topics.deliveries && m.key === customer),
      ).toHaveLength(0);
    },
  );
});

function intent(intentKey: string) {
  return {
    intentKey,
    variables: { amount: '5.00 EUR', dueDate: '2026-12-09' },
    action: { url: 'https://pay.example.test/' },
  };
}

function withoutIntentKey<T extends { data: Record<string, unknown> }>(event: T): T {
  const { intentKey: _gone, ...data } = event.data;
  return { ...event, data };
}
