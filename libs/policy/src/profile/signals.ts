import type { Channel, TopicEvent, Topics, Touchpoint } from '@onevoice/contracts';
import type { Signal } from './behaviour';
import type { ProfilerConfig } from './profiler-config';

type Interaction = TopicEvent<typeof Topics.interactions>;
type Delivery = TopicEvent<typeof Topics.deliveries>;

const DIRECT: readonly string[] = ['email', 'sms', 'push', 'voice', 'letter', 'in_app', 'chat'];
const POSITIVE = new Set(['opened', 'clicked', 'replied']);
const NEGATIVE = new Set(['ignored', 'declined', 'missed', 'bounced', 'unsubscribed']);

/** The channel a place the customer acted points to, and how strongly. */
export function channelOf(
  t: Touchpoint,
  c: ProfilerConfig,
): { channel: Channel; weight: number } | undefined {
  if (DIRECT.includes(t)) return { channel: t as Channel, weight: 1 };
  const mapped = c.touchpoints[t];
  return mapped && mapped.weight > 0 ? mapped : undefined;
}

const at = (e: { time?: string | undefined }, now: Date) =>
  e.time ? Date.parse(e.time) : now.getTime();

/** What an interaction says about the customer's channels. */
export function signalsOfInteraction(e: Interaction, c: ProfilerConfig, now: Date): Signal[] {
  const when = at(e, now);
  const inbound = (t: Touchpoint): Signal[] => {
    const ch = channelOf(t, c);
    return ch ? [{ kind: 'inbound', channel: ch.channel, weight: ch.weight, at: when }] : [];
  };
  switch (e.type) {
    case 'interaction.inbound_contact':
      return inbound(e.data.channel);
    case 'interaction.self_service':
      return inbound(e.data.channel);
    case 'interaction.payment':
      return inbound(e.data.channel);
    case 'interaction.engagement': {
      const a = e.data.action;
      const kind = POSITIVE.has(a) ? 'engagement' : NEGATIVE.has(a) ? 'negative' : 'delivered';
      return [{ kind, channel: e.data.channel, at: when }];
    }
    case 'interaction.fulfilled':
    case 'case.opened':
    case 'case.closed':
      return [];
  }
}

/** What the dispatcher saw of our own messages: delivered, engaged with, bounced. */
export function signalsOfDelivery(
  e: Delivery,
  categoryOf: (intentType: string) => string | undefined,
  now: Date,
): Signal[] {
  const d = e.data;
  const category = categoryOf(d.intentType);
  const base = { channel: d.channel, at: at(e, now), ...(category ? { category } : {}) };
  if (POSITIVE.has(d.state)) return [{ kind: 'engagement', ...base }];
  if (d.state === 'bounced') return [{ kind: 'negative', ...base }];
  if (d.state === 'delivered') return [{ kind: 'delivered', ...base }];
  return [];
}
