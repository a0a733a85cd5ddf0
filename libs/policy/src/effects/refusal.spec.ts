import { shippedPolicy as policy } from '../test-fixtures';
import {
  calledOffByRefusal,
  refusalFor,
  refusesMore,
  type OpenRequest,
  type Refusals,
} from './refusal';

const NOW = new Date('2026-11-23T03:00:00Z');
const MORNING = new Date('2026-11-23T08:00:00Z');
const nothing: Refusals = { optOuts: [], consents: [] };

const approved = (
  over: Partial<OpenRequest & { id: string }> = {},
): OpenRequest & { id: string } => ({
  id: 'bill',
  status: 'approved',
  category: 'billing',
  channel: 'sms',
  at: MORNING,
  goneOut: false,
  decisionId: 'd-bill',
  ...over,
});

const effects = (
  requests: readonly (OpenRequest & { id: string })[],
  after: Partial<Refusals>,
  before: Refusals | undefined = nothing,
) =>
  calledOffByRefusal(requests, before, { ...nothing, ...after }, policy.consentRequired, NOW).map(
    (e) => [e.kind, e.request.id, e.reason.text],
  );

describe('calledOffByRefusal (rule 1, when the customer says no after a decision)', () => {
  it('decides again an approval waiting for its window on a channel just refused, saying which and when', () => {
    expect(effects([approved()], { optOuts: [{ channel: 'sms' }] })).toEqual([
      [
        'redecide',
        'bill',
        'Decided again: the customer opted out of sms (2026-11-23T03:00:00.000Z).',
      ],
    ]);
    const [effect] = calledOffByRefusal(
      [approved()],
      nothing,
      { ...nothing, optOuts: [{ channel: 'sms' }] },
      {},
      NOW,
    );
    expect(effect!.reason).toMatchObject({ rule: 'consent', code: 'refused_after_decision' });
  });

  it('names an opt-out of a category, or of a category on one channel', () => {
    expect(effects([approved()], { optOuts: [{ category: 'billing' }] })).toEqual([
      ['redecide', 'bill', expect.stringContaining('opted out of billing messages (')],
    ]);
    expect(effects([approved()], { optOuts: [{ category: 'billing', channel: 'sms' }] })).toEqual([
      ['redecide', 'bill', expect.stringContaining('opted out of billing messages by sms (')],
    ]);
  });

  it('leaves what the refusal does not touch, and what has gone out', () => {
    expect(effects([approved({ channel: 'email' })], { optOuts: [{ channel: 'sms' }] })).toEqual(
      [],
    );
    expect(effects([approved()], { optOuts: [{ category: 'promotion', channel: 'sms' }] })).toEqual(
      [],
    );
    expect(effects([approved({ goneOut: true })], { optOuts: [{ channel: 'sms' }] })).toEqual([]);
    expect(
      effects([approved({ status: 'suppressed' }), approved({ status: 'pending' })], {
        optOuts: [{ channel: 'sms' }],
      }),
    ).toEqual([]);
  });

  it('acts only on what is new: an opt-out the customer already had changes nothing', () => {
    const had: Refusals = { ...nothing, optOuts: [{ channel: 'sms' }] };
    expect(effects([approved()], { optOuts: [{ channel: 'sms' }] }, had)).toEqual([]);
    // A first profile: everything in it is new.
    expect(effects([approved()], { optOuts: [{ channel: 'sms' }] }, undefined)).toHaveLength(1);
  });

  it('a consent withdrawn counts only where the category needs one on that channel', () => {
    const gave: Refusals = {
      ...nothing,
      consents: [
        { channel: 'sms', purpose: 'promotion' },
        { channel: 'sms', purpose: 'billing' },
      ],
    };
    const promo = approved({ id: 'promo', category: 'promotion' });
    expect(effects([promo], { consents: [{ channel: 'sms', purpose: 'billing' }] }, gave)).toEqual([
      [
        'redecide',
        'promo',
        expect.stringContaining('withdrew consent to promotion messages by sms'),
      ],
    ]);
    // Billing needs no consent by SMS: withdrawing one changes nothing.
    expect(
      effects([approved()], { consents: [{ channel: 'sms', purpose: 'promotion' }] }, gave),
    ).toEqual([]);
  });

  it('do-not-disturb decides again an approval due before it ends, not one due after', () => {
    const until = new Date(MORNING.getTime() + 3_600_000);
    expect(effects([approved()], { doNotDisturbUntil: until })).toEqual([
      [
        'redecide',
        'bill',
        expect.stringContaining(`asked not to be disturbed until ${until.toISOString()}`),
      ],
    ]);
    expect(
      effects([approved({ at: new Date(until.getTime() + 1) })], { doNotDisturbUntil: until }),
    ).toEqual([]);
    // One already over, or no longer than before: nothing new.
    expect(effects([approved()], { doNotDisturbUntil: new Date(NOW.getTime() - 1) })).toEqual([]);
    expect(
      effects([approved()], { doNotDisturbUntil: until }, { ...nothing, doNotDisturbUntil: until }),
    ).toEqual([]);
  });

  it('a held request: called off if its category is refused, or a reminder whose message went on the channel refused', () => {
    const held = approved({ id: 'held', status: 'deferred', channel: undefined });
    expect(effects([held], { optOuts: [{ category: 'billing' }] })).toEqual([
      [
        'call-off',
        'held',
        expect.stringMatching(/^Called off: the customer opted out of billing messages \(/),
      ],
    ]);
    expect(effects([held], { optOuts: [{ channel: 'sms' }] })).toEqual([]);
    const reminder = { ...held, id: 'reminder', followsUpOn: 'sms' as const };
    expect(effects([reminder], { optOuts: [{ channel: 'sms' }] })).toEqual([
      ['call-off', 'reminder', expect.stringContaining('opted out of sms')],
    ]);
    expect(effects([reminder], { optOuts: [{ channel: 'email' }] })).toEqual([]);
  });

  it('a held request that kept a channel now refused stays held, without it', () => {
    const displaced = approved({ id: 'displaced', status: 'deferred' });
    expect(effects([displaced], { optOuts: [{ channel: 'sms' }] })).toEqual([
      [
        'hold',
        'displaced',
        expect.stringMatching(/^Held as before, not by sms: the customer opted out of sms/),
      ],
    ]);
  });

  it('a request merged into a digest not gone out is called off, and an approved digest decided again without it', () => {
    const digest = approved({
      id: 'digest',
      category: 'survey',
      channel: 'email',
      decisionId: 'd-digest',
    });
    const promo = approved({
      id: 'promo',
      status: 'merged',
      category: 'promotion',
      channel: undefined,
      mergedInto: 'd-digest',
    });
    expect(effects([digest, promo], { optOuts: [{ category: 'promotion' }] })).toEqual([
      ['call-off', 'promo', expect.stringContaining('opted out of promotion messages')],
      ['redecide', 'digest', expect.stringContaining('opted out of promotion messages')],
    ]);
    // Held for the window: only the member goes; the digest is decided when it is due.
    const held = { ...digest, status: 'deferred' as const, channel: undefined };
    expect(effects([held, promo], { optOuts: [{ category: 'promotion' }] })).toEqual([
      ['call-off', 'promo', expect.stringContaining('opted out of promotion messages')],
    ]);
    // Refused only on another channel than the digest's, or gone out with it: nothing.
    expect(
      effects([digest, promo], { optOuts: [{ category: 'promotion', channel: 'sms' }] }),
    ).toEqual([]);
    expect(
      effects([{ ...digest, goneOut: true }, promo], { optOuts: [{ category: 'promotion' }] }),
    ).toEqual([]);
  });
});

describe('refusalFor', () => {
  it('names the opt-out, or the consent a channel needs and the customer never gave', () => {
    const c = policy.consentRequired;
    expect(refusalFor(nothing, c, 'sms', 'billing')).toBeUndefined();
    expect(refusalFor({ ...nothing, optOuts: [{ channel: 'sms' }] }, c, 'sms', 'billing')).toBe(
      'opted out of sms',
    );
    expect(refusalFor(nothing, c, 'sms', 'promotion')).toBe(
      'gave no consent to promotion messages by sms',
    );
    expect(
      refusalFor(
        { ...nothing, consents: [{ channel: 'sms', purpose: 'promotion' }] },
        c,
        'sms',
        'promotion',
      ),
    ).toBeUndefined();
    expect(refusalFor(nothing, c, 'email', 'promotion')).toBeUndefined();
  });
});

describe('refusesMore', () => {
  it('is true only for something newly refused: an opt-out, a consent withdrawn, a longer do-not-disturb', () => {
    const gave: Refusals = { ...nothing, consents: [{ channel: 'sms', purpose: 'promotion' }] };
    expect(refusesMore(nothing, nothing, NOW)).toBe(false);
    expect(refusesMore(undefined, nothing, NOW)).toBe(false);
    expect(refusesMore(nothing, { ...nothing, optOuts: [{ channel: 'sms' }] }, NOW)).toBe(true);
    expect(refusesMore(gave, nothing, NOW)).toBe(true);
    expect(refusesMore(nothing, gave, NOW)).toBe(false);
    expect(refusesMore(nothing, { ...nothing, doNotDisturbUntil: MORNING }, NOW)).toBe(true);
    expect(
      refusesMore(nothing, { ...nothing, doNotDisturbUntil: new Date(NOW.getTime() - 1) }, NOW),
    ).toBe(false);
    const opted: Refusals = { ...nothing, optOuts: [{ channel: 'sms' }] };
    expect(refusesMore(opted, nothing, NOW)).toBe(false);
  });
});

describe('calledOffByRefusal, at its edges', () => {
  it('a consent withdrawn is that channel for that purpose: others given or withdrawn do not count', () => {
    const gave: Refusals = {
      ...nothing,
      consents: [
        { channel: 'sms', purpose: 'promotion' },
        { channel: 'voice', purpose: 'promotion' },
        { channel: 'sms', purpose: 'usage' },
      ],
    };
    const promo = approved({ id: 'promo', category: 'promotion' });
    // Voice's promotion consent and SMS's usage consent go; SMS's promotion consent stays.
    expect(
      effects([promo], { consents: [{ channel: 'sms', purpose: 'promotion' }] }, gave),
    ).toEqual([]);
    // The one withdrawn is named, though others stay.
    expect(
      effects(
        [promo],
        {
          consents: [
            { channel: 'voice', purpose: 'promotion' },
            { channel: 'sms', purpose: 'usage' },
          ],
        },
        gave,
      ),
    ).toEqual([
      [
        'redecide',
        'promo',
        expect.stringContaining('withdrew consent to promotion messages by sms'),
      ],
    ]);
  });

  it('a do-not-disturb ending at or before the send, or at the moment learnt, touches nothing', () => {
    expect(effects([approved()], { doNotDisturbUntil: MORNING })).toEqual([]);
    expect(effects([approved()], { doNotDisturbUntil: NOW })).toEqual([]);
    // An approval without a send time is never inside it.
    expect(
      effects([approved({ at: undefined })], {
        doNotDisturbUntil: new Date(MORNING.getTime() + 1),
      }),
    ).toEqual([]);
  });

  it('a held request without a channel stays as it is on a channel opt-out', () => {
    const held = approved({ id: 'held', status: 'deferred', channel: undefined });
    expect(effects([held], { optOuts: [{ channel: 'sms', category: 'billing' }] })).toEqual([]);
  });

  it('a digest refused on its own channel is decided again once, with its members called off first', () => {
    const digest = approved({ id: 'digest', category: 'survey', decisionId: 'd-digest' });
    const member = approved({
      id: 'member',
      status: 'merged',
      category: 'promotion',
      channel: undefined,
      mergedInto: 'd-digest',
    });
    expect(effects([member, digest], { optOuts: [{ channel: 'sms' }] })).toEqual([
      ['call-off', 'member', expect.stringMatching(/^Called off: the customer opted out of sms/)],
      ['redecide', 'digest', expect.stringMatching(/^Decided again: /)],
    ]);
  });

  it('only requests merged into a digest still waiting are members: not others, nor stale links', () => {
    const other = approved({
      id: 'other',
      category: 'survey',
      decisionId: 'd-other',
      channel: 'email',
    });
    const digest = approved({
      id: 'digest',
      category: 'survey',
      decisionId: 'd-digest',
      channel: 'email',
    });
    const member = (over: Partial<OpenRequest>) =>
      approved({
        id: 'member',
        category: 'promotion',
        channel: undefined,
        mergedInto: 'd-digest',
        ...over,
      });
    const promoOut = { optOuts: [{ category: 'promotion' as const }] };
    // Merged into the digest (not the other approval listed first): called off.
    expect(effects([other, digest, member({ status: 'merged' })], promoOut)).toEqual([
      ['call-off', 'member', expect.any(String)],
      ['redecide', 'digest', expect.any(String)],
    ]);
    // Not merged any more (decided on its own since), or the digest was called off: left alone
    // here (decided on its own terms).
    expect(effects([digest, member({ status: 'approved', channel: 'email' })], promoOut)).toEqual([
      ['redecide', 'member', expect.any(String)],
    ]);
    expect(
      effects(
        [{ ...digest, status: 'suppressed' as const }, member({ status: 'merged' })],
        promoOut,
      ),
    ).toEqual([]);
    // A channel-less held digest: an opt-out of the category on one channel only waits for it.
    const held = { ...digest, status: 'deferred' as const, channel: undefined };
    expect(
      effects([held, member({ status: 'merged' })], {
        optOuts: [{ category: 'promotion', channel: 'sms' }],
      }),
    ).toEqual([]);
  });
});
