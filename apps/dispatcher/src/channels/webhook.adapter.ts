import { createHmac } from 'node:crypto';
import { ProviderError, type ChannelAdapter, type OutgoingMessage } from './channel-adapter';

/**
 * Anything else (chat, in-app) goes to a webhook the company runs: a signed JSON POST
 * (`x-onevoice-signature`: HMAC-SHA256 of the body, hex) with an `Idempotency-Key` the receiver
 * must honour — which is what makes a resend after a timeout safe.
 */
export class WebhookAdapter implements ChannelAdapter {
  readonly provider = 'webhook';
  readonly idempotent = true;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {}

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    const body = JSON.stringify({
      deliveryId: message.deliveryId,
      customerId: message.customerId,
      channel: message.channel,
      subject: message.subject,
      body: message.body,
    });
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'idempotency-key': message.idempotencyKey,
          'x-onevoice-signature': createHmac('sha256', this.secret).update(body).digest('hex'),
        },
        body,
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.cause?.code === 'ECONNREFUSED')
        throw new ProviderError('transient', 'webhook unreachable: ECONNREFUSED');
      throw new ProviderError('ambiguous', `webhook did not answer: ${e.message}`);
    }
    if (res.status === 429 || res.status >= 500)
      throw new ProviderError('transient', `webhook answered ${res.status}`);
    if (!res.ok) throw new ProviderError('permanent', `webhook refused it: ${res.status}`);
    return { providerMessageId: `webhook-${message.idempotencyKey}` };
  }

  lookup(): Promise<{ found: false }> {
    return Promise.reject(new ProviderError('permanent', 'a webhook keeps no record we can ask'));
  }
}
