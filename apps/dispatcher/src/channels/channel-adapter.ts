import type { Channel } from '@onevoice/contracts';

/** One message, rendered, ready for a provider. Carries no contact details: the adapter looks them up. */
export interface OutgoingMessage {
  deliveryId: string;
  customerId: string;
  channel: Channel;
  subject: string;
  body: string;
  /** Providers that accept one get it, so a retried call is not a second message. */
  idempotencyKey: string;
}

export interface ChannelAdapter {
  readonly provider: string;
  send(message: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

export const CHANNEL_ADAPTER = Symbol('ChannelAdapter');
