import { Logger } from '@nestjs/common';
import type { ChannelAdapter, OutgoingMessage } from './channel-adapter';

/**
 * Accepts every message and keeps the most recent ones in memory, for local runs and tests; the
 * real SMTP/SMS/voice adapters come with the dispatcher issue. Logs ids and sizes, never content
 * or contact details.
 */
export class CaptureAdapter implements ChannelAdapter {
  readonly provider = 'capture';
  private readonly logger = new Logger(CaptureAdapter.name);
  private readonly captured: OutgoingMessage[] = [];

  constructor(private readonly keep = 1000) {}

  send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    this.captured.push(message);
    if (this.captured.length > this.keep) this.captured.shift();
    this.logger.log({
      msg: 'captured message',
      channel: message.channel,
      deliveryId: message.deliveryId,
      bodyChars: message.body.length,
    });
    return Promise.resolve({ providerMessageId: `capture-${message.idempotencyKey}` });
  }

  recent(customerId?: string): OutgoingMessage[] {
    return this.captured.filter((m) => customerId === undefined || m.customerId === customerId);
  }
}
