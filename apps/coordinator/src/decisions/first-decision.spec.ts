import { decisionEventSchema, type IntentCatalogue } from '@onevoice/contracts';
import { decideOnDefaultChannel, decisionIdFor, type ContactRequest } from './first-decision';

const catalogue: IntentCatalogue = {
  version: 'cat-7',
  intents: {
    'billing.payment_due': {
      category: 'billing',
      urgency: 'high',
      defaultChannels: ['voice', 'email', 'sms'],
      reminders: { max: 1, after: 'P3D' },
      lifetime: 'P14D',
      template: { subject: 's', body: 'b' },
    },
  },
};
const now = new Date('2026-11-23T09:30:00Z');
const request = (
  over: Partial<ContactRequest['data']> = {},
  type = 'billing.payment_due',
): ContactRequest => ({
  id: 'req-1',
  source: 'billing',
  subject: 'cust-9',
  type,
  data: {
    intentKey: 'bill:9',
    variables: { amount: '9 EUR' },
    action: { url: 'https://pay.example.test' },
    ...over,
  },
});

describe('decideOnDefaultChannel (walking skeleton)', () => {
  it("approves on the intent's first default channel, with a readable reason", () => {
    const result = decideOnDefaultChannel(request(), catalogue, now);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.data).toMatchObject({
      outcome: 'approved',
      channel: 'voice',
      category: 'billing',
      urgency: 'high',
      sendAfter: now.toISOString(),
      policyVersion: 'skeleton/cat-7',
    });
    expect(result.event.data.reasons).toEqual([
      expect.objectContaining({ rule: 'channel-choice', code: 'intent_default_channel' }),
    ]);
    expect(decisionEventSchema.safeParse(result.event).success).toBe(true);
  });

  it('keeps to the channels the department allowed, in the catalogue order', () => {
    const result = decideOnDefaultChannel(request({ channels: ['sms', 'email'] }), catalogue, now);
    expect(result.ok && result.event.data.channel).toBe('email');
  });

  it('gives the same decision id for the same request, and another for another', () => {
    expect(decisionIdFor({ source: 'billing', id: 'a' })).toBe(
      decisionIdFor({ source: 'billing', id: 'a' }),
    );
    expect(decisionIdFor({ source: 'billing', id: 'a' })).not.toBe(
      decisionIdFor({ source: 'care', id: 'a' }),
    );
  });

  it('refuses an intent the catalogue does not know', () => {
    expect(decideOnDefaultChannel(request({}, 'billing.unknown'), catalogue, now)).toMatchObject({
      ok: false,
      rejection: { field: 'type' },
    });
  });
});
