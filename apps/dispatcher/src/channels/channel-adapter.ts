import type { Channel } from '@onevoice/contracts';
import type { FailureKind } from '@onevoice/policy';

/** One message, rendered, ready for a provider. Carries no contact details: the adapter looks them up. */
export interface OutgoingMessage {
  deliveryId: string;
  customerId: string;
  channel: Channel;
  subject: string;
  body: string;
  /** A hash, never contact details; a provider that accepts one does not send twice for it. */
  idempotencyKey: string;
  /** RFC 8058 one-click unsubscribe for this kind of message, where the customer may stop it. */
  listUnsubscribe?: string;
  /** For an email: an image whose loading records that it was opened. */
  trackingPixel?: string;
}

/**
 * Why a provider call did not go through. `transient`: try again later (5xx, 429, connection
 * refused). `permanent`: it never will (4xx). `ambiguous`: the provider may have taken it (a
 * timeout or reset after the request went out) — resent only to a provider that dedupes by key.
 * `conflict`: the provider holds this key already (409, 422) — asked what it took, never resent.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface ChannelAdapter {
  readonly provider: string;
  /** The provider sends once per idempotency key, however often it is called with it. */
  readonly idempotent: boolean;
  send(message: OutgoingMessage): Promise<{ providerMessageId: string }>;
  /** What the provider knows of a key: how an uncertain delivery is settled. */
  lookup(
    idempotencyKey: string,
  ): Promise<{ found: true; providerMessageId: string } | { found: false }>;
  /**
   * Removes what the adapter itself keeps of a message (a letter file waiting for the print
   * shop), for an erased customer; true when it removed something. Providers keep their own.
   */
  erase?(idempotencyKey: string): Promise<boolean>;
}

/** The adapter for each channel. */
export interface ChannelAdapters {
  for(channel: Channel): ChannelAdapter;
}

export const CHANNEL_ADAPTERS = Symbol('ChannelAdapters');
