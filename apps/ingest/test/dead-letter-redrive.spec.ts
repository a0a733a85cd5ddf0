import { DeadLetterHeaders, Topics } from '@onevoice/contracts';
import {
  createKafka,
  readDeadLetters,
  readTopicRange,
  redrive,
  REDRIVEN_FROM_HEADER,
} from '@onevoice/messaging';
import { newCustomerId, paymentDue, produceRaw, testStack, TopicTap } from '@onevoice/testing';
import { Partitioners } from 'kafkajs';

/**
 * `npm run dlq -- redrive`: a dead letter goes back to the topic it came from and is taken there;
 * run again, it is not sent a second time.
 */
describe('a dead letter sent back once its cause is fixed', () => {
  const stack = testStack();
  const kafka = createKafka({ brokers: stack.brokers, clientId: 'dlq-spec', partitions: 6 });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let tap: TopicTap;

  beforeAll(async () => {
    await producer.connect();
    tap = await TopicTap.open(stack, [Topics.decisions]);
  });
  afterAll(async () => {
    await tap.close();
    await producer.disconnect();
  });

  it('is taken by the consumer that refused it, and a second re-drive sends nothing', async () => {
    const customer = newCustomerId('redrive');
    const event = paymentDue(customer);
    // Ingest refused it while its database was away (as before issue 19's fix): a dead letter
    // as the transport writes one.
    const before = Date.now() - 1_000;
    await produceRaw(stack, Topics.deadLetters, [
      {
        key: customer,
        value: JSON.stringify(event),
        headers: {
          [DeadLetterHeaders.reason]: 'database unavailable',
          [DeadLetterHeaders.sourceTopic]: Topics.events,
          [DeadLetterHeaders.sourcePartition]: '0',
          [DeadLetterHeaders.sourceOffset]: '0',
          [DeadLetterHeaders.consumer]: stack.groups.ingest,
          [DeadLetterHeaders.failedAt]: new Date().toISOString(),
        },
      },
    ]);
    const letters = (await readDeadLetters(kafka, { from: before })).filter(
      (l) => l.key === customer,
    );
    expect(letters.map((l) => [l.reason, l.sourceTopic])).toEqual([
      ['database unavailable', Topics.events],
    ]);

    const first = await redrive(kafka, producer, letters);
    expect(first.redriven.map((r) => r.topic)).toEqual([Topics.events]);
    // Ingest takes it now, and the coordinator decides it.
    const [decision] = await tap.waitForMessages(
      'the re-driven request decided',
      (m) => m.key === customer,
    );
    expect(
      (JSON.parse(decision!.value!.toString()) as { data: { requestId: string } }).data.requestId,
    ).toBe(event.id);

    const second = await redrive(kafka, producer, letters);
    expect(second).toEqual({
      redriven: [],
      alreadyRedriven: [{ at: letters[0]!.at, topic: Topics.events }],
      unknownSource: [],
    });
    // On the topic, once: the second run sent nothing.
    const resent = await readTopicRange(kafka, Topics.events, {
      from: before,
      map: (m) => ({
        key: m.key?.toString(),
        marker: m.headers?.[REDRIVEN_FROM_HEADER]?.toString(),
      }),
    });
    expect(resent.filter((r) => r.key === customer)).toEqual([
      {
        key: customer,
        marker: `${Topics.deadLetters}/${letters[0]!.partition}/${letters[0]!.offset}`,
      },
    ]);
  });
});
