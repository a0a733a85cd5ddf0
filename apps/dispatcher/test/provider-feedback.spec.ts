import { Topics } from '@onevoice/contracts';
import { daytimeZone, dispatcherDeliveries, Story, testStack, TopicTap } from '@onevoice/testing';
import { createHmac } from 'node:crypto';
import { Client } from 'pg';

/**
 * What providers tell the dispatcher, through the provider simulator: a status callback turns a
 * sent SMS into a delivered one; a customer's STOP reply opts them out of texts at once; a
 * callback with a wrong signature is refused and changes nothing.
 */
/** The provider callback secret the test stack's dispatcher is given. */
const SECRET = 'dev-provider-callback-secret';

describe('provider feedback', () => {
  const stack = testStack();
  const simulator = () => stack.services['provider-simulator'];
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.interactions]);
  });
  afterAll(() => tap.close());

  it('a signed status callback makes the delivery delivered; a forged one is refused', async () => {
    const story = await Story.begin(stack, 'status');
    try {
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'sms' });
      await story.send('billing', 'billing.payment_due', {
        intentKey: `bill:${story.customerId}`,
        variables: { amount: '8.00 EUR', dueDate: '2026-12-12' },
        action: { url: 'https://pay.example.test/s' },
      });
      const delivered = await story.waitFor('the provider’s delivery report', () =>
        story.deliveries().find((d) => d.data.state === 'delivered'),
      );
      expect(delivered.data.channel).toBe('sms');

      const body = JSON.stringify({
        sid: 'SMx',
        status: 'failed',
        idempotencyKey: delivered.data.deliveryId,
      });
      const forged = await postSigned('status', body, 'not-the-shared-secret');
      expect(forged.status).toBe(403);
      expect(((await forged.json()) as { field: string }).field).toBe('x-provider-signature');
      // Refused before anything was recorded: the answer came after the check, so the delivery's
      // state is what it was, and no fallback was planned from it.
      expect((await dispatcherDeliveries(stack, story.customerId)).map((d) => d.state)).toEqual([
        'delivered',
      ]);

      // Signed correctly but long ago: a captured callback replayed later is refused.
      const stale = await postSigned('status', body, SECRET, Date.now() - 10 * 60_000);
      expect(stale.status).toBe(403);
      expect(((await stale.json()) as { field: string }).field).toBe('x-provider-timestamp');
      // Signed now, but "failed" after "delivered": recorded as ignored, never a fallback.
      expect((await postSigned('status', body, SECRET)).status).toBe(204);
      expect((await dispatcherDeliveries(stack, story.customerId)).map((d) => d.state)).toEqual([
        'delivered',
      ]);
    } finally {
      await story.end();
    }
  });

  it('a STOP reply by SMS opts the customer out of texts at once', async () => {
    const story = await Story.begin(stack, 'stop-reply');
    try {
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'sms' });
      const reply = await fetch(`${simulator()}/control/reply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: story.customerId, text: 'STOP' }),
      });
      expect(reply.status).toBe(202);
      const [interaction] = await tap.waitForMessages(
        'the reply as an interaction',
        (m) => m.topic === Topics.interactions && m.key === story.customerId,
      );
      expect(JSON.parse(interaction!.value!.toString())).toMatchObject({
        type: 'interaction.inbound_contact',
        data: { channel: 'sms', text: 'STOP' },
      });
      await story.profileInCoordinator(
        'SMS opted out',
        (p) => JSON.stringify(p.optOuts) === JSON.stringify([{ channel: 'sms' }]),
      );
      // The next message does not go by text.
      const due = await story.send('billing', 'billing.payment_due', {
        intentKey: `bill:${story.customerId}`,
        variables: { amount: '8.00 EUR', dueDate: '2026-12-12' },
        action: { url: 'https://pay.example.test/s' },
      });
      await story.decided(due);
      expect(story.standing().get(`billing/${due}`)!.data.channel).not.toBe('sms');
      // And the customer was told, by one last text, how to undo it.
      const [answer] = await keywordReplies(story.customerId, 'sms.stop_reply');
      expect(['sent', 'delivered']).toContain(answer!.state);
      expect(answer!.body).toMatch(/no more texts from us\. Reply START/);
    } finally {
      await story.end();
    }
  });

  it('"Stop please." from an E.164 number, with a long provider id, opts out of texts', async () => {
    const number = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const story = await Story.begin(stack, 'e164-stop', { customerId: number });
    try {
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'sms' });
      const inbound = (over: object) =>
        JSON.stringify({
          messageSid: `SM${'0123456789abcdef'.repeat(20)}${number.slice(1)}`,
          channel: 'sms',
          from: number,
          text: 'Stop please.',
          ...over,
        });
      const refused = await postSigned('inbound', inbound({ from: 'not a number!' }), SECRET);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { field: string }).field).toBe('from');

      expect((await postSigned('inbound', inbound({}), SECRET)).status).toBe(202);
      const [interaction] = await tap.waitForMessages(
        'the reply as an interaction',
        (m) => m.topic === Topics.interactions && m.key === number,
      );
      expect(JSON.parse(interaction!.value!.toString())).toMatchObject({
        subject: number,
        type: 'interaction.inbound_contact',
        data: { channel: 'sms', text: 'Stop please.' },
      });
      await story.profileInCoordinator(
        'SMS opted out',
        (p) => JSON.stringify(p.optOuts) === JSON.stringify([{ channel: 'sms' }]),
      );
      const [answer] = await keywordReplies(number, 'sms.stop_reply');
      expect(answer!.body).toMatch(/no more texts from us\. Reply START/);
    } finally {
      await story.end();
    }
  });

  it('a HELP text is answered once, saying who writes and how to stop', async () => {
    const story = await Story.begin(stack, 'help-reply');
    try {
      // Posted as the provider does, signed; the provider posts it twice (a retried webhook).
      const body = JSON.stringify({
        messageSid: `SMhelp${story.customerId}`,
        channel: 'sms',
        from: story.customerId,
        text: ' help ',
      });
      for (let i = 0; i < 2; i++)
        expect((await postSigned('inbound', body, SECRET)).status).toBe(202);
      const sent = await story.waitFor('the answer sent', () =>
        story
          .deliveries()
          .find((d) => d.data.intentType === 'sms.help_reply' && d.data.state === 'sent'),
      );
      const answers = await keywordReplies(story.customerId, 'sms.help_reply');
      expect(answers).toHaveLength(1);
      expect(answers[0]!.body).toMatch(
        /^OneVoice: messages about your account.*Reply STOP to stop texts\.$/s,
      );
      expect(answers[0]!.body).toContain(`/preferences/${story.customerId}?t=`);
      const attempts = (
        (await (await fetch(`${simulator()}/control`)).json()) as {
          attempts: { idempotencyKey?: string; outcome: string }[];
        }
      ).attempts.filter((a) => a.idempotencyKey === sent.data.deliveryId);
      expect(attempts.map((a) => a.outcome)).toEqual(['accepted']);
    } finally {
      await story.end();
    }
  });

  /** Posts to the dispatcher's provider endpoint as a provider does, signed with `secret`. */
  const postSigned = (
    endpoint: 'status' | 'inbound',
    body: string,
    secret: string,
    signedAt = Date.now(),
  ) => {
    const timestamp = String(Math.floor(signedAt / 1000));
    return fetch(`${stack.services.dispatcher}/v1/providers/${endpoint}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-provider-timestamp': timestamp,
        'x-provider-signature': createHmac('sha256', secret)
          .update(`${timestamp}.${body}`)
          .digest('hex'),
      },
      body,
    });
  };

  /** The dispatcher's answers to a customer's keyword texts, from its table. */
  async function keywordReplies(customerId: string, intentType: string) {
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      for (let i = 0; i < 100; i++) {
        const rows = (
          await db.query(
            'SELECT state, body FROM dispatcher.deliveries WHERE customer_id = $1 AND intent_type = $2',
            [customerId, intentType],
          )
        ).rows as { state: string; body: string }[];
        if (rows.length > 0 && rows.every((r) => r.state === 'sent' || r.state === 'delivered'))
          return rows;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no ${intentType} sent to ${customerId} within 10 s`);
    } finally {
      await db.end();
    }
  }
});
