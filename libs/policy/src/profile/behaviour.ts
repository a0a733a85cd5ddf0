import { CHANNELS, type Channel } from '@onevoice/contracts';
import type { ProfilerConfig } from './profiler-config';

/** One thing a customer did, as evidence about channels. */
export interface Signal {
  kind: 'inbound' | 'engagement' | 'negative' | 'delivered';
  channel: Channel;
  /** When it happened (ms). */
  at: number;
  /** The kind of message it was about (engagement with a billing message, say). */
  category?: string;
  /** Less than 1 for weaker evidence (paying on the web says less about email than an email does). */
  weight?: number;
}

/**
 * A customer's behaviour, compact enough to keep for millions of customers (well under 1 KiB):
 * decayed counts per channel — [inbound, engaged, negative, delivered] — the same per kind of
 * message for engagement, and activity by hour of day, all as of `t`.
 */
export interface BehaviourState {
  t: number;
  ch: Partial<Record<Channel, [number, number, number, number]>>;
  cat: Record<string, Partial<Record<Channel, [number, number]>>>;
  /** Activity by UTC hour of day, decayed as engagement. */
  h: number[];
}

export const emptyBehaviour = (): BehaviourState => ({ t: 0, ch: {}, cat: {}, h: [] });

const KIND_INDEX = { inbound: 0, engagement: 1, negative: 2, delivered: 3 } as const;
const round = (x: number) => Math.round(x * 100) / 100;
/** Below this a faded count is dropped: it no longer says anything, and it costs bytes. */
const NEGLIGIBLE = 0.05;
const MAX_CHANNELS_PER_CATEGORY = 3;

function fade(halfLifeMs: number, dtMs: number): number {
  return dtMs <= 0 ? 1 : 2 ** (-dtMs / halfLifeMs);
}

/** Brings every count to time `now` (counts fade with their kind's half-life). */
function decayTo(state: BehaviourState, now: number, c: ProfilerConfig): BehaviourState {
  if (state.t === 0 || now <= state.t) return { ...state, t: Math.max(state.t, now) };
  const dt = now - state.t;
  const f = [
    fade(c.halfLifeMs.inbound, dt),
    fade(c.halfLifeMs.engagement, dt),
    fade(c.halfLifeMs.negative, dt),
    fade(c.halfLifeMs.engagement, dt),
  ];
  const ch: BehaviourState['ch'] = {};
  for (const [channel, v] of Object.entries(state.ch) as [Channel, number[]][]) {
    const faded = v.map((x, i) => round(x * f[i]!)) as [number, number, number, number];
    if (faded.some((x) => x >= NEGLIGIBLE)) ch[channel] = faded;
  }
  const cat: BehaviourState['cat'] = {};
  for (const [category, byChannel] of Object.entries(state.cat)) {
    const kept: Partial<Record<Channel, [number, number]>> = {};
    for (const [channel, v] of Object.entries(byChannel) as [Channel, number[]][]) {
      const faded: [number, number] = [round(v[0]! * f[1]!), round(v[1]! * f[2]!)];
      if (faded[0] >= NEGLIGIBLE || faded[1] >= NEGLIGIBLE) kept[channel] = faded;
    }
    if (Object.keys(kept).length > 0) cat[category] = kept;
  }
  const h = state.h.map((x) => Math.round(x * f[1]! * 10) / 10);
  return { t: now, ch, cat, h: h.some((x) => x > 0) ? h : [] };
}

/**
 * Adds one signal. A signal older than the state (a replay, a late event) is added already
 * faded, so the order events arrive in hardly matters.
 */
export function addSignal(
  before: BehaviourState,
  signal: Signal,
  c: ProfilerConfig,
): BehaviourState {
  const state = decayTo(before, signal.at, c);
  const halfLife =
    signal.kind === 'inbound'
      ? c.halfLifeMs.inbound
      : signal.kind === 'negative'
        ? c.halfLifeMs.negative
        : c.halfLifeMs.engagement;
  const amount = (signal.weight ?? 1) * fade(halfLife, state.t - signal.at);
  const i = KIND_INDEX[signal.kind];
  const counts = [...(state.ch[signal.channel] ?? [0, 0, 0, 0])] as [
    number,
    number,
    number,
    number,
  ];
  counts[i] = round(counts[i] + amount);
  const next: BehaviourState = { ...state, ch: { ...state.ch, [signal.channel]: counts } };
  if (signal.category && (signal.kind === 'engagement' || signal.kind === 'negative')) {
    const byChannel = { ...(state.cat[signal.category] ?? {}) };
    const pair = [...(byChannel[signal.channel] ?? [0, 0])] as [number, number];
    pair[signal.kind === 'engagement' ? 0 : 1] = round(
      pair[signal.kind === 'engagement' ? 0 : 1] + amount,
    );
    byChannel[signal.channel] = pair;
    // A kind of message keeps its few strongest channels: enough to tell them apart, and bounded.
    const kept = (Object.entries(byChannel) as [Channel, [number, number]][])
      .sort(([a, x], [b, y]) =>
        a === signal.channel ? -1 : b === signal.channel ? 1 : y[0] + y[1] - x[0] - x[1],
      )
      .slice(0, MAX_CHANNELS_PER_CATEGORY);
    next.cat = { ...state.cat, [signal.category]: Object.fromEntries(kept) };
  }
  if (signal.kind === 'inbound' || signal.kind === 'engagement') {
    const h = Array.from({ length: 24 }, (_, k) => state.h[k] ?? 0);
    const hour = new Date(signal.at).getUTCHours();
    h[hour] = Math.round((h[hour]! + amount) * 10) / 10;
    next.h = h;
  }
  return next;
}

export interface ChannelAffinity {
  channel: Channel;
  /** Share of the customer's positive evidence on this channel, less what went wrong there. */
  affinity: number;
  confidence: number;
  evidence: { inbound: number; engaged: number; negative: number; delivered: number };
}

export interface Inference {
  /** Best first; only channels with more positive than negative evidence. */
  channels: ChannelAffinity[];
  preferred?: { channel: Channel; confidence: number };
  byCategory: { category: string; channel: Channel; confidence: number }[];
  /** UTC hours at which the customer most often acts, busiest first. */
  activeHours: number[];
  totalEvidence: number;
}

/** What the behaviour shows: affinities, the inferred channel and how sure we are of it. */
export function infer(state: BehaviourState, c: ProfilerConfig, now: number): Inference {
  const s = decayTo(state, now, c);
  const w = c.weights;
  const rows = CHANNELS.flatMap((channel) => {
    const v = s.ch[channel];
    if (!v) return [];
    const positive = w.inbound * v[0] + w.engagement * v[1];
    const negative = w.negative * v[2];
    return [{ channel, positive, negative, v }];
  });
  const totalPositive = rows.reduce((a, r) => a + r.positive, 0);
  const totalEvidence = rows.reduce((a, r) => a + r.positive + r.negative, 0);
  const certainty = 1 - Math.exp(-totalEvidence / c.evidenceScale);
  const channels = rows
    .filter((r) => r.positive > r.negative)
    .map((r) => {
      const affinity = totalPositive === 0 ? 0 : (r.positive - r.negative) / totalPositive;
      return {
        channel: r.channel,
        affinity: round(affinity),
        confidence: round(Math.max(0, affinity) * certainty),
        evidence: {
          inbound: round(r.v[0]),
          engaged: round(r.v[1]),
          negative: round(r.v[2]),
          delivered: round(r.v[3]),
        },
      };
    })
    .sort((a, b) => b.confidence - a.confidence || (a.channel < b.channel ? -1 : 1));
  const byCategory = Object.entries(s.cat).flatMap(([category, byChannel]) => {
    const entries = Object.entries(byChannel) as [Channel, [number, number]][];
    const evidence = entries.reduce((a, [, [e, n]]) => a + w.engagement * e + w.negative * n, 0);
    if (evidence < c.minCategoryEvidence) return [];
    const positive = entries.reduce((a, [, [e]]) => a + w.engagement * e, 0);
    const best = entries
      .map(([channel, [e, n]]) => ({ channel, net: w.engagement * e - w.negative * n }))
      .sort((a, b) => b.net - a.net)[0];
    if (!best || best.net <= 0 || positive === 0) return [];
    const confidence = round((best.net / positive) * (1 - Math.exp(-evidence / c.evidenceScale)));
    return [{ category, channel: best.channel, confidence }];
  });
  const activeHours = s.h
    .map((v, hour) => ({ v, hour }))
    .filter((x) => x.v >= 0.5)
    .sort((a, b) => b.v - a.v || a.hour - b.hour)
    .slice(0, 3)
    .map((x) => x.hour);
  const top = channels[0];
  return {
    channels,
    ...(top ? { preferred: { channel: top.channel, confidence: top.confidence } } : {}),
    byCategory,
    activeHours,
    totalEvidence: round(totalEvidence),
  };
}

/** A sentence per channel saying why it is (or is not) the customer's channel. */
export function explain(inference: Inference): string[] {
  const lines = inference.channels.map((a) => {
    const e = a.evidence;
    const parts = [
      e.inbound ? `${e.inbound.toFixed(1)} contacts started there` : '',
      e.engaged ? `${e.engaged.toFixed(1)} responses to our messages` : '',
      e.negative ? `${e.negative.toFixed(1)} ignored, bounced or declined` : '',
    ].filter(Boolean);
    return `${a.channel}: ${parts.join(', ') || 'no evidence'} (recent counts weigh more); confidence ${a.confidence.toFixed(2)}.`;
  });
  if (!inference.preferred)
    return [
      'Nothing known yet: messages go on the channel the customer chose, or the intent’s default.',
    ];
  return [
    `Prefers ${inference.preferred.channel} (confidence ${inference.preferred.confidence.toFixed(2)}), from ${inference.totalEvidence.toFixed(1)} weighted signals.`,
    ...lines,
  ];
}
