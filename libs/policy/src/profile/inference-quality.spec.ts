import type { Channel, Touchpoint } from '@onevoice/contracts';
import { addSignal, emptyBehaviour, infer, type BehaviourState } from './behaviour';
import { channelOf } from './signals';
import { testConfig } from './test-config';

/**
 * Inference quality on a simulated population. Each customer's true channel for proactive
 * messages drives what they do: where they start contacts, and which of our messages (sent on
 * the company's usual channels, not theirs) they open or ignore. Calibrated by the seed figures:
 * about 59% prefer email, and few welcome texts.
 */
const c = testConfig();
const DAY = 86_400_000;
const NOW = Date.parse('2026-11-23T12:00:00Z');
const MIN_INFERRED_CONFIDENCE = 0.6; // config/policy.yaml channelChoice.minInferredConfidence

const TRUE_SHARES: [Channel, number][] = [
  ['email', 0.59],
  ['chat', 0.14],
  ['in_app', 0.12],
  ['voice', 0.09],
  ['sms', 0.06],
];
/**
 * Where a customer who prefers a channel starts contacts themselves: half the time there, the
 * rest anywhere (people call about a problem whatever they prefer).
 */
const OWN_TOUCHPOINT: Record<string, Touchpoint> = {
  email: 'email',
  chat: 'chat',
  in_app: 'app',
  voice: 'voice',
  sms: 'sms',
};
const OTHER_TOUCHPOINTS: Touchpoint[] = ['voice', 'web', 'chat', 'email', 'store', 'app'];
/** What the company sends on, whatever the customer prefers. */
const OUR_CHANNELS: [Channel, number][] = [
  ['email', 0.5],
  ['sms', 0.3],
  ['voice', 0.2],
];

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, shares: [T, number][]): T {
  let x = r();
  for (const [v, p] of shares) if ((x -= p) < 0) return v;
  return shares[shares.length - 1]![0];
}

function simulate(r: () => number, truth: Channel, events: number): BehaviourState {
  let s = emptyBehaviour();
  for (let i = 0; i < events; i++) {
    const at = NOW - Math.floor(r() * 180 * DAY);
    if (r() < 0.5) {
      // A contact the customer starts: mostly where they like to be.
      const t =
        r() < 0.7
          ? OWN_TOUCHPOINT[truth]!
          : OTHER_TOUCHPOINTS[Math.floor(r() * OTHER_TOUCHPOINTS.length)]!;
      const ch = channelOf(t, c);
      if (ch) s = addSignal(s, { kind: 'inbound', channel: ch.channel, weight: ch.weight, at }, c);
    } else {
      // One of our messages, on our channel: engaged with on theirs, mostly ignored elsewhere.
      const channel = pick(r, OUR_CHANNELS);
      const likes = channel === truth;
      const engage = likes ? 0.5 : channel === 'sms' ? 0.08 : 0.2;
      const ignore = likes ? 0.1 : 0.3;
      const x = r();
      const kind = x < engage ? 'engagement' : x < engage + ignore ? 'negative' : 'delivered';
      s = addSignal(s, { kind, channel, at, category: 'billing' }, c);
    }
  }
  return s;
}

describe('inference quality on a simulated population', () => {
  const r = rng(20261123);
  const population = Array.from({ length: 4000 }, (_, i) => {
    const truth = pick(r, TRUE_SHARES);
    const enough = i % 2 === 0;
    const events = enough ? 12 + Math.floor(r() * 29) : Math.floor(r() * 3);
    return { truth, enough, inference: infer(simulate(r, truth, events), c, NOW) };
  });

  it('infers the true channel for at least 90% of customers with enough evidence', () => {
    const enough = population.filter((p) => p.enough);
    const right = enough.filter((p) => p.inference.preferred?.channel === p.truth).length;
    const usable = enough.filter(
      (p) => (p.inference.preferred?.confidence ?? 0) >= MIN_INFERRED_CONFIDENCE,
    );
    const usableRight = usable.filter((p) => p.inference.preferred?.channel === p.truth).length;
    process.stdout.write(
      `[inference quality] enough evidence (12–40 events): ${right}/${enough.length} = ${((100 * right) / enough.length).toFixed(1)}% right; ` +
        `confident enough to use (≥ ${MIN_INFERRED_CONFIDENCE}): ${usable.length}, of which ${((100 * usableRight) / usable.length).toFixed(1)}% right\n`,
    );
    expect(right / enough.length).toBeGreaterThanOrEqual(0.9);
    expect(usableRight / usable.length).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps confidence low with little evidence, so the coordinator falls back to defaults', () => {
    const little = population.filter((p) => !p.enough);
    const confident = little.filter(
      (p) => (p.inference.preferred?.confidence ?? 0) >= MIN_INFERRED_CONFIDENCE,
    );
    const worst = Math.max(...little.map((p) => p.inference.preferred?.confidence ?? 0));
    process.stdout.write(
      `[inference quality] little evidence (0–2 events): ${confident.length}/${little.length} confident enough to use; highest confidence ${worst.toFixed(2)}\n`,
    );
    expect(confident).toEqual([]);
  });

  it('is calibrated like the population it learns from: most prefer email, few texts', () => {
    const share = (ch: Channel) =>
      population.filter((p) => p.truth === ch).length / population.length;
    expect(share('email')).toBeGreaterThan(0.55);
    expect(share('email')).toBeLessThan(0.63);
    expect(share('sms')).toBeLessThan(0.1);
  });
});
