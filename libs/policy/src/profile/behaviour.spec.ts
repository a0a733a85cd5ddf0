import { addSignal, emptyBehaviour, explain, infer, type Signal } from './behaviour';
import { testConfig } from './test-config';

const c = testConfig();
const DAY = 86_400_000;
const now = Date.parse('2026-11-23T12:00:00Z');
const feed = (signals: Signal[]) => signals.reduce((s, x) => addSignal(s, x, c), emptyBehaviour());
const times = (n: number, s: Omit<Signal, 'at'>, every = DAY) =>
  Array.from({ length: n }, (_, i) => ({ ...s, at: now - (n - i) * every }));

describe('behaviour profile', () => {
  it('infers the channel a customer uses, with confidence growing with the evidence', () => {
    const few = infer(feed(times(1, { kind: 'inbound', channel: 'chat' })), c, now);
    const many = infer(feed(times(12, { kind: 'inbound', channel: 'chat' })), c, now);
    expect(few.preferred?.channel).toBe('chat');
    expect(many.preferred?.channel).toBe('chat');
    expect(few.preferred!.confidence).toBeLessThan(0.3);
    expect(many.preferred!.confidence).toBeGreaterThan(0.8);
  });

  it('knows nothing of a customer it has not seen', () => {
    const none = infer(emptyBehaviour(), c, now);
    expect(none.preferred).toBeUndefined();
    expect(explain(none)[0]).toMatch(/Nothing known yet/);
  });

  it('lets old evidence fade: last year’s calls weigh less than this month’s chats', () => {
    const s = feed([
      ...times(6, { kind: 'inbound', channel: 'voice' }, 2 * DAY).map((x) => ({
        ...x,
        at: x.at - 365 * DAY,
      })),
      ...times(3, { kind: 'inbound', channel: 'chat' }),
    ]);
    expect(infer(s, c, now).preferred?.channel).toBe('chat');
  });

  it('counts what went wrong against a channel', () => {
    const s = feed([
      ...times(3, { kind: 'engagement', channel: 'sms' }),
      ...times(6, { kind: 'negative', channel: 'sms' }),
      ...times(2, { kind: 'engagement', channel: 'email' }),
    ]);
    const inf = infer(s, c, now);
    expect(inf.preferred?.channel).toBe('email');
    expect(inf.channels.map((x) => x.channel)).not.toContain('sms');
  });

  it('infers per kind of message when the customer behaves differently for it', () => {
    const s = feed([
      ...times(4, { kind: 'engagement', channel: 'email', category: 'billing' }),
      ...times(4, { kind: 'engagement', channel: 'chat', category: 'service' }),
    ]);
    const inf = infer(s, c, now);
    expect(inf.byCategory).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ category: 'billing', channel: 'email' }),
        expect.objectContaining({ category: 'service', channel: 'chat' }),
      ]),
    );
  });

  it('does not depend on the order events arrive in', () => {
    const signals = [
      ...times(5, { kind: 'inbound', channel: 'chat' }),
      ...times(3, { kind: 'engagement', channel: 'email' }),
      ...times(2, { kind: 'negative', channel: 'voice' }),
    ];
    const a = infer(feed(signals), c, now);
    const b = infer(feed([...signals].reverse()), c, now);
    expect(b.preferred?.channel).toBe(a.preferred?.channel);
    expect(Math.abs(b.preferred!.confidence - a.preferred!.confidence)).toBeLessThan(0.01);
  });

  it('keeps a busy customer’s state under 1 KiB', () => {
    const channels = ['email', 'sms', 'voice', 'chat', 'in_app', 'push', 'letter'] as const;
    const categories = ['billing', 'service', 'outage', 'promotion', 'usage', 'account'];
    const signals: Signal[] = [];
    for (let i = 0; i < 500; i++)
      signals.push({
        kind: (['inbound', 'engagement', 'negative', 'delivered'] as const)[i % 4]!,
        channel: channels[i % channels.length]!,
        category: categories[i % categories.length]!,
        at: now - (i % 200) * 3_600_000,
      });
    const size = Buffer.byteLength(JSON.stringify(feed(signals)));
    expect(size).toBeLessThan(1024);
  });

  it('names the hours the customer is active in', () => {
    const s = feed(
      times(5, { kind: 'inbound', channel: 'chat' }).map((x) => ({
        ...x,
        at: x.at - 3 * 3_600_000,
      })),
    );
    expect(infer(s, c, now).activeHours).toEqual([9]);
  });
});
