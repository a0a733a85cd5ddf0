import { Logger } from '@nestjs/common';
import type { ChannelAdapter, OutgoingMessage } from './channel-adapter';

/**
 * Accepts every message and keeps the most recent ones in memory: the channels without a real
 * adapter yet (email, letter, chat, in-app), and every channel when no provider is configured.
 * Logs ids and sizes, never content or contact details.
 */
export class CaptureAdapter implements ChannelAdapter {
  readonly provider = 'capture';
  readonly idempotent = true;
  private readonly logger = new Logger(CaptureAdapter.name);
  private readonly captured = new Map<string, OutgoingMessage>();

  constructor(private readonly keep = 1000) {}

  send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    if (!this.captured.has(message.idempotencyKey)) {
      this.captured.set(message.idempotencyKey, message);
      if (this.captured.size > this.keep) this.captured.delete(this.captured.keys().next().value!);
      this.logger.log({
        msg: 'captured message',
        channel: message.channel,
        deliveryId: message.deliveryId,
        bodyChars: message.body.length,
      });
    }
    return Promise.resolve({ providerMessageId: `capture-${message.idempotencyKey}` });
  }

  lookup(idempotencyKey: string) {
    return Promise.resolve(
      this.captured.has(idempotencyKey)
        ? { found: true as const, providerMessageId: `capture-${idempotencyKey}` }
        : { found: false as const },
    );
  }
}
