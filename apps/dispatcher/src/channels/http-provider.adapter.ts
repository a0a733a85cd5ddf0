import type { Channel } from '@onevoice/contracts';
import { ProviderError, type ChannelAdapter, type OutgoingMessage } from './channel-adapter';

/**
 * SMS, voice and push through an HTTP provider API in the shape of Twilio's (`POST /v1/messages`
 * with an `Idempotency-Key`, `GET /v1/messages?idempotencyKey=` to find what it took). Whether
 * the provider's idempotency can be trusted is configured per channel: voice calls are never
 * re-dialled on a guess.
 */
export class HttpProviderAdapter implements ChannelAdapter {
  constructor(
    readonly provider: string,
    private readonly channel: Extract<Channel, 'sms' | 'voice' | 'push'>,
    private readonly baseUrl: string,
    readonly idempotent: boolean,
    private readonly timeoutMs: number,
    /** This dispatcher's address, for the provider's status callbacks. */
    private readonly callbackBase?: string,
  ) {}

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/v1/messages`, {
        method: 'POST',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { 'content-type': 'application/json', 'idempotency-key': message.idempotencyKey },
        // The provider account maps the customer reference to a number; we hold no contact details.
        body: JSON.stringify({
          channel: this.channel,
          to: message.customerId,
          body: message.body,
          ...(this.callbackBase
            ? { statusCallback: `${this.callbackBase.replace(/\/$/, '')}/v1/providers/status` }
            : {}),
        }),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      // Refused before anything was sent: safe to retry. Timed out after sending: the provider
      // may have it.
      if (e.cause?.code === 'ECONNREFUSED' || e.cause?.code === 'ENOTFOUND')
        throw new ProviderError('transient', `provider unreachable: ${e.cause.code}`);
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new ProviderError('ambiguous', `no answer within ${this.timeoutMs} ms`);
      throw new ProviderError('ambiguous', `connection failed: ${e.message}`);
    }
    if (res.status === 429 || res.status >= 500)
      throw new ProviderError('transient', `provider answered ${res.status}`);
    // The key was seen before (a request still in progress, or one taken with other details):
    // an earlier call may have gone out.
    if (res.status === 409 || res.status === 422)
      throw new ProviderError('conflict', `provider holds this idempotency key: ${res.status}`);
    if (!res.ok) throw new ProviderError('permanent', `provider refused it: ${res.status}`);
    const body = (await res.json()) as { sid?: string };
    return { providerMessageId: body.sid ?? 'unknown' };
  }

  async lookup(idempotencyKey: string) {
    const res = await fetch(
      `${this.baseUrl.replace(/\/$/, '')}/v1/messages?idempotencyKey=${encodeURIComponent(idempotencyKey)}`,
      { signal: AbortSignal.timeout(this.timeoutMs) },
    );
    if (!res.ok) throw new ProviderError('transient', `status lookup answered ${res.status}`);
    const { messages } = (await res.json()) as { messages: { sid: string }[] };
    return messages[0]
      ? { found: true as const, providerMessageId: messages[0].sid }
      : { found: false as const };
  }
}
