import type { Channel } from '@onevoice/contracts';
import type { ChannelAdapter, ChannelAdapters } from './channel-adapter';

/** Each channel's adapter; channels without one of their own go to `fallback` (capture). */
export class ChannelRouter implements ChannelAdapters {
  constructor(
    private readonly byChannel: Partial<Record<Channel, ChannelAdapter>>,
    private readonly fallback: ChannelAdapter,
  ) {}

  for(channel: Channel): ChannelAdapter {
    return this.byChannel[channel] ?? this.fallback;
  }
}
