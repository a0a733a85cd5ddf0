import { daytimeZone, dispatcherDeliveries, Story, testStack } from '@onevoice/testing';

interface Attempt {
  idempotencyKey?: string;
  outcome: 'accepted' | 'duplicate' | 'conflict' | 'refused';
}

/**
 * The dispatcher against a misbehaving provider (the provider simulator): a 5xx is retried and
 * the message goes out once; a provider that takes a message and answers too late never gets a
 * second one — resent under the same key where the provider dedupes (SMS), reconciled through
 * its records where it does not (a voice call).
 */
describe('provider faults', () => {
  const stack = testStack();
  const simulator = () => stack.services['provider-simulator'];

  const chaos = async (settings: Record<string, number>) => {
    const res = await fetch(`${simulator()}/control`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
    expect(res.status).toBe(200);
  };
  const attemptsFor = async (key: string) =>
    ((await (await fetch(`${simulator()}/control`)).json()) as { attempts: Attempt[] }).attempts
      .filter((a) => a.idempotencyKey === key)
      .map((a) => a.outcome);

  /** A customer who wants texts (or calls), a bill due, and the delivery's key. */
  async function billBy(channel: 'sms' | 'voice', label: string) {
    const story = await Story.begin(stack, label);
    await story.profile({ timeZone: daytimeZone(), preferredChannel: channel });
    await story.send('billing', 'billing.payment_due', {
      intentKey: `bill:${story.customerId}`,
      variables: { amount: '30.00 EUR', dueDate: '2026-12-20' },
      action: { url: 'https://pay.example.test/p' },
    });
    return story;
  }

  const settled = (story: Story) =>
    story.waitFor('the delivery sent', () =>
      story.deliveries().find((d) => d.data.state === 'sent'),
    );

  it('a provider 5xx is retried, and the message is delivered once', async () => {
    await chaos({ failNext: 2 });
    const story = await billBy('sms', 'provider-5xx');
    try {
      const sent = await settled(story);
      const key = sent.data.deliveryId;
      expect(await attemptsFor(key)).toEqual(['refused', 'refused', 'accepted']);
      expect(story.deliveries().filter((d) => d.data.state === 'sent')).toHaveLength(1);
      expect(sent.data.attempt).toBe(3);
    } finally {
      await story.end();
    }
  });

  it('an SMS reported delivered while its answer was late is announced sent, never asked again', async () => {
    // The carrier's receipt (50 ms) beats the answer (3 s, after the dispatcher gave up).
    await chaos({ timeoutNext: 1, timeoutMs: 3_000 });
    const story = await billBy('sms', 'sms-late-answer');
    try {
      const sent = await settled(story);
      expect(await attemptsFor(sent.data.deliveryId)).toEqual(['accepted']);
      expect(sent.data.detail).toMatch(/reported it delivered during the call/);
      // Never put back in the schedule, so never sent again.
      await story.waitFor('the provider receipt', () =>
        story.deliveries().find((d) => d.data.state === 'delivered'),
      );
      expect(story.deliveries().filter((d) => d.data.state === 'sent')).toHaveLength(1);
    } finally {
      await story.end();
    }
  });

  it('an SMS the provider took but answered too late is not sent twice', async () => {
    // No receipt before the dispatcher gives up: an ambiguous call, asked again under its key.
    await chaos({ timeoutNext: 1, timeoutMs: 3_000, reportLateNext: 1 });
    const story = await billBy('sms', 'sms-timeout');
    try {
      const sent = await settled(story);
      const key = sent.data.deliveryId;
      // Asked again under the same key: the provider recognises it — 409 while its first answer
      // is still on its way (the dispatcher then asks what it took), or the same message once it
      // is out. One message either way.
      const [first, ...again] = await attemptsFor(key);
      expect(first).toBe('accepted');
      expect(again.length).toBeGreaterThan(0);
      expect(again.every((a) => a === 'conflict' || a === 'duplicate')).toBe(true);
    } finally {
      await story.end();
    }
  });

  it('a text that cannot be delivered falls back to the next allowed channel, once', async () => {
    // The number is dead: the provider takes the text, then reports it failed.
    await chaos({ undeliverableNext: 1 });
    const story = await billBy('sms', 'sms-undeliverable');
    try {
      const email = await story.waitFor('the email sent', () =>
        story.deliveries().find((d) => d.data.channel === 'email' && d.data.state === 'sent'),
      );
      const [decision] = story.decisions().filter((d) => d.data.outcome === 'approved');
      // The decision named where it may go instead, with that channel's quiet hours.
      expect(decision?.data.fallback?.channels.map((c) => c.channel)).toEqual(['email']);
      const states = story.deliveries().map((d) => `${d.data.channel} ${d.data.state}`);
      expect(states).toEqual(
        expect.arrayContaining(['sms failed', 'email scheduled', 'email sent']),
      );
      const fellBack = story
        .deliveries()
        .find((d) => d.data.channel === 'email' && d.data.state === 'scheduled');
      expect(fellBack?.data.detail).toMatch(/falls back from sms/);
      // The agent reading the timeline sees why the customer got an email.
      const said = await story.waitFor('the fallback on the timeline', async () => {
        const entries = await story.timeline();
        return entries.find((e) =>
          /^email message scheduled .*falls back from sms/.test(e.summary),
        );
      });
      expect(said.kind).toBe('delivery');
      // One reminder planned, though the message went out twice (once failed).
      await story.waitFor('the email on the timeline', async () =>
        (await story.timeline()).find((e) => /^email message sent/.test(e.summary)),
      );
      expect((await story.timeline()).filter((e) => e.kind === 'reminder')).toHaveLength(1);
      expect(email.data.decisionId).toBe(decision!.data.decisionId);
      // (Email goes by SMTP, not through the provider simulator: sent once, below.)
      // Nothing on a third channel, and one email (the bill's next default channel).
      expect(new Set(story.deliveries().map((d) => d.data.channel))).toEqual(
        new Set(['sms', 'email']),
      );
      expect(
        story.deliveries().filter((d) => d.data.channel === 'email' && d.data.state === 'sent'),
      ).toHaveLength(1);
    } finally {
      await story.end();
    }
  });

  it('a message the policy does not let fall back stays undelivered', async () => {
    await chaos({ undeliverableNext: 1 });
    const story = await Story.begin(stack, 'usage-undeliverable');
    try {
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'push' });
      // Usage tips are not among the policy's fallback categories.
      await story.send('network', 'usage.threshold_near', {
        intentKey: `usage:${story.customerId}`,
        variables: { percent: 90, allowance: '20 GB data' },
        action: { url: 'https://my.example.test/usage' },
      });
      const failed = await story.waitFor('the push failed', () =>
        story.deliveries().find((d) => d.data.state === 'failed'),
      );
      expect(failed.data.channel).toBe('push');
      const [decision] = story.decisions().filter((d) => d.data.outcome === 'approved');
      expect(decision?.data.fallback).toBeUndefined();
      // A fallback is recorded in the transaction that records the failure, which has committed
      // once "failed" is published: the dispatcher's table shows there is none.
      expect((await dispatcherDeliveries(stack, story.customerId)).map((d) => d.channel)).toEqual([
        'push',
      ]);
    } finally {
      await story.end();
    }
  });

  it('a call the provider took but answered too late is reconciled, never redialled', async () => {
    await chaos({ timeoutNext: 1, timeoutMs: 3_000, reportLateNext: 1 });
    const story = await billBy('voice', 'voice-timeout');
    try {
      const uncertain = await story.waitFor('the delivery uncertain', () =>
        story.deliveries().find((d) => d.data.state === 'uncertain'),
      );
      const sent = await settled(story);
      const key = sent.data.deliveryId;
      expect(uncertain.data.deliveryId).toBe(key);
      expect(await attemptsFor(key)).toEqual(['accepted']);
    } finally {
      await story.end();
    }
  });
});
