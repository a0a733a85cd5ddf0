import { Topics } from '@onevoice/contracts';
import { newCustomerId, paymentDue, testStack, TopicTap } from '@onevoice/testing';
import { execFileSync, spawnSync } from 'node:child_process';

/** Produces to Kafka with kcat: a client that shares no code with OneVoice. */
function kcatProduce(brokers: string[], topic: string, key: string, value: string): void {
  const result = spawnSync(
    'kcat',
    ['-b', brokers.join(','), '-P', '-t', topic, '-k', key, '-X', 'acks=all'],
    {
      input: `${value}\n`,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kcat exited ${result.status}: ${result.stderr}`);
}

describe('walking skeleton: a department event produced by kcat straight to ov.events.v1', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    try {
      execFileSync('kcat', ['-V'], { stdio: 'ignore' });
    } catch {
      throw new Error(
        'kcat is not installed: run `bash deploy/local/up.sh` (or apt-get install kcat)',
      );
    }
    tap = await TopicTap.open(stack, [Topics.decisions, Topics.deliveries]);
  });
  afterAll(() => tap.close());

  it('is decided and delivered on the intent default channel', async () => {
    const customer = newCustomerId('kcat');
    const event = paymentDue(customer, { source: 'billing' });
    kcatProduce(stack.brokers, Topics.events, customer, JSON.stringify(event));

    const [delivery] = await tap.waitForMessages(
      'a delivery for the kcat event',
      (m) => m.topic === Topics.deliveries && m.key === customer,
    );
    const sent = JSON.parse(delivery!.value!.toString()) as { data: Record<string, unknown> };
    // A customer OneVoice knows nothing about gets the intent's default channel (email for
    // billing.payment_due in the catalogue).
    expect(sent.data).toMatchObject({ requestId: event.id, channel: 'email' });
    // Sent at once, or scheduled when quiet hours (UTC, no profile) are on now.
    expect(['sent', 'scheduled']).toContain(sent.data.state);
    // The tap reads each topic on its own: the decision may reach it after the delivery.
    await tap.waitForMessages(
      'the decision',
      (m) => m.topic === Topics.decisions && m.key === customer,
    );
    expect(tap.events(Topics.decisions, customer)).toHaveLength(1);
  });
});
