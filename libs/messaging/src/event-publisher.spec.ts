import { cloudEvent, Topics } from '@onevoice/contracts';
import type { Producer, ProducerBatch } from 'kafkajs';
import { KafkaEventPublisher } from './event-publisher';
import { outbound } from './outbound';

function recordingProducer() {
  const requests: ProducerBatch[] = [];
  const producer = {
    sendBatch: async (batch: ProducerBatch) => {
      requests.push(batch);
      return [];
    },
  } as unknown as Producer;
  return { producer, requests };
}

const event = (customer: string, n: number, size = 10) =>
  outbound(
    Topics.decisions,
    cloudEvent({
      id: `${customer}-${n}`,
      source: 's',
      type: 't',
      subject: customer,
      time: new Date(0),
      data: { n, pad: 'x'.repeat(size) },
    }),
  );

describe('KafkaEventPublisher', () => {
  it('keys every message by customer and sets W3C trace and content-type headers', async () => {
    const { producer, requests } = recordingProducer();
    await new KafkaEventPublisher(producer).publish([event('c-1', 1)]);
    const [message] = requests[0]!.topicMessages![0]!.messages;
    expect(message!.key).toBe('c-1');
    expect(message!.headers).toMatchObject({ 'content-type': 'application/cloudevents+json' });
    expect(requests[0]!.acks).toBe(-1);
  });

  it('splits a large publish into requests the broker accepts, keeping the order', async () => {
    const { producer, requests } = recordingProducer();
    const messages = Array.from({ length: 300 }, (_, n) => event('c-2', n, 10_000)); // ~3 MB
    await new KafkaEventPublisher(producer).publish(messages);
    expect(requests.length).toBeGreaterThan(4);
    for (const r of requests) {
      const bytes = r
        .topicMessages!.flatMap((t) => t.messages)
        .reduce((sum, m) => sum + String(m.value).length, 0);
      expect(bytes).toBeLessThanOrEqual(512 * 1024);
    }
    const order = requests
      .flatMap((r) => r.topicMessages!.flatMap((t) => t.messages))
      .map((m) => JSON.parse(String(m.value)).data.n);
    expect(order).toEqual([...Array(300).keys()]);
  });

  it('publishes the JSON its maker wrote already, which stays out of the message kept as JSON', async () => {
    const { producer, requests } = recordingProducer();
    const made = event('c-3', 1);
    // Spaced out, to tell it from a second serialization.
    const json = JSON.stringify(made.event, null, 1);
    const message = outbound(Topics.decisions, made.event, json);
    expect(JSON.parse(JSON.stringify(message))).toEqual(JSON.parse(JSON.stringify(made)));
    await new KafkaEventPublisher(producer).publish([message]);
    expect(requests[0]!.topicMessages![0]!.messages[0]!.value).toBe(json);
  });

  it('sends nothing for nothing', async () => {
    const { producer, requests } = recordingProducer();
    await new KafkaEventPublisher(producer).publish([]);
    expect(requests).toHaveLength(0);
  });
});
