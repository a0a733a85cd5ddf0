// Channel choice, budgets and quiet hours, each on its own (see rule-by-rule.spec.ts): the exact
// channel, time and words each gives.
import type { Channel } from '@onevoice/contracts';
import {
  context,
  DAY,
  HOUR,
  ledger,
  NOW,
  profile,
  request,
  sent,
  shippedPolicy,
} from '../test-fixtures';
import { channelChoiceRule, fallbackChannels } from './channel-choice.rule';
import { frequencyCapRule } from './frequency-cap.rule';
import { quietHoursRule } from './quiet-hours.rule';

const now = NOW.getTime();
const at = (ms: number) => new Date(now + ms);
const ALL: Channel[] = ['email', 'sms', 'push', 'voice', 'letter', 'in_app', 'chat'];

describe('frequency caps and priority (rules 4 and 5), on their own', () => {
  const decide = (over: Parameters<typeof context>[0] = {}, ctxOver = {}) => {
    const ctx = context(over, ctxOver);
    return { decision: frequencyCapRule(ctx), ctx };
  };

  it('critical and transactional messages are counted, never held back, and it is said', () => {
    const full = ledger({ decisions: [sent()] });
    const critical = decide({ request: request({ urgency: 'critical' }), ledger: full });
    expect(critical.decision).toBeUndefined();
    expect(critical.ctx.reasons).toEqual([
      {
        rule: 'frequency-cap',
        code: 'critical_uncapped',
        text: 'Critical: counted, but no contact budget holds it back.',
      },
    ]);
    const done = decide({ request: request({ transactional: true }), ledger: full });
    expect(done.decision).toBeUndefined();
    expect(done.ctx.reasons).toEqual([
      {
        rule: 'frequency-cap',
        code: 'transactional_uncapped',
        text: 'About something the customer did or asked for: counted, but no contact budget holds it back.',
      },
    ]);
  });

  it('a used daily budget defers the message to when it frees, saying which and until when', () => {
    expect(decide({ ledger: ledger({ decisions: [sent()] }) }).decision).toEqual({
      outcome: 'deferred',
      until: new Date('2026-11-24T07:00:00.000Z'),
      reasons: [
        {
          rule: 'frequency-cap',
          code: 'cap_reached',
          text: 'Waits: the daily contact budget (1) is used until 2026-11-24T07:00:00.000Z.',
        },
        {
          rule: 'frequency-cap',
          code: 'deferred_for_budget',
          text: 'Deferred to 2026-11-24 08:00 the customer’s time (Europe/Berlin), 2026-11-24T07:00:00.000Z, when the contact budget allows it.',
        },
      ],
    });
  });

  it('a contact a full window away no longer counts', () => {
    const { decision, ctx } = decide({ ledger: ledger({ decisions: [sent({ at: at(-DAY) })] }) });
    expect(decision).toBeUndefined();
    expect(ctx.reasons).toEqual([]);
  });

  it('only approved messages with a time count, and not those this one replaces', () => {
    for (const d of [
      sent({ outcome: 'deferred' }),
      sent({ outcome: 'suppressed' }),
      sent({ at: undefined }),
    ])
      expect(decide({ ledger: ledger({ decisions: [d] }) }).decision).toBeUndefined();
    expect(
      decide({ ledger: ledger({ decisions: [sent()] }) }, { supersedes: ['d-old'] }).decision,
    ).toBeUndefined();
  });

  it('a budget for some categories counts only those', () => {
    const promo = request({ category: 'promotion', urgency: 'normal' });
    const billing = sent({ category: 'billing', at: at(-2 * DAY) });
    expect(
      decide({ request: promo, ledger: ledger({ decisions: [billing] }) }).decision,
    ).toBeUndefined();
    const earlier = sent({ category: 'promotion', at: at(-2 * DAY) });
    expect(
      decide({ request: promo, ledger: ledger({ decisions: [earlier] }) }).decision,
    ).toMatchObject({
      outcome: 'deferred',
      until: at(5 * DAY),
      reasons: [
        {
          text: 'Waits: the promotions-weekly contact budget (1) is used until 2026-11-28T09:00:00.000Z.',
        },
        {},
      ],
    });
  });

  it('a full window frees when its latest contact leaves it', () => {
    const three = [
      sent({ at: at(-3 * DAY) }),
      sent({ at: at(-2 * DAY) }),
      sent({ at: at(-5 * DAY) }),
    ];
    expect(decide({ ledger: ledger({ decisions: three }) }).decision).toMatchObject({
      outcome: 'deferred',
      until: at(5 * DAY),
      reasons: [
        { text: 'Waits: the weekly contact budget (3) is used until 2026-11-28T09:00:00.000Z.' },
        {},
      ],
    });
  });

  it('not sent when the budget frees only when (or after) the message expires', () => {
    for (const expiresAt of [at(10 * HOUR), at(22 * HOUR)])
      expect(
        decide({ request: request({ expiresAt }), ledger: ledger({ decisions: [sent()] }) })
          .decision,
      ).toEqual({
        outcome: 'suppressed',
        code: 'cap_reached',
        reasons: [
          {
            rule: 'frequency-cap',
            code: 'cap_reached',
            text: 'Not sent: the daily contact budget (1) is used, and the message expires before it frees up.',
          },
        ],
      });
  });

  it('a more urgent message takes the budget of a less urgent one not gone out', () => {
    const waiting = sent({ decisionId: 'd-service', sent: false, at: at(HOUR) });
    const { decision, ctx } = decide({ ledger: ledger({ decisions: [waiting] }) });
    expect(decision).toBeUndefined();
    expect(ctx.displaces).toEqual(['d-service']);
    expect(ctx.reasons).toEqual([
      {
        rule: 'priority-arbitration',
        code: 'takes_budget',
        text: 'Takes the daily budget from a less urgent message that had not gone out yet.',
      },
    ]);
  });

  it('never what went out, a critical message, one already displaced, or one as important', () => {
    const waiting = { decisionId: 'd-x', sent: false, at: at(HOUR) };
    for (const d of [
      sent({ ...waiting, sent: true }),
      sent({ ...waiting, urgency: 'critical' }),
      sent({ ...waiting, category: 'billing', urgency: 'high' }),
    ])
      expect(decide({ ledger: ledger({ decisions: [d] }) }).decision?.outcome).toBe('deferred');
    expect(
      decide({ ledger: ledger({ decisions: [sent(waiting)] }) }, { displaces: ['d-x'] }).decision
        ?.outcome,
    ).toBe('deferred');
  });

  it('displacing what it can is not enough when the rest alone fill the budget', () => {
    const decisions = [sent(), sent({ decisionId: 'd-x', sent: false, at: at(HOUR) })];
    const { decision, ctx } = decide({ ledger: ledger({ decisions }) });
    expect(decision?.outcome).toBe('deferred');
    expect(ctx.displaces).toEqual([]);
  });

  it('takes as few as it needs, the least important first', () => {
    const waiting = { sent: false };
    const decisions = [
      sent({ ...waiting, decisionId: 'service', at: at(2 * DAY) }),
      sent({
        ...waiting,
        decisionId: 'promotion',
        category: 'promotion',
        urgency: 'low',
        at: at(3 * DAY),
      }),
      sent({ ...waiting, decisionId: 'account', category: 'account', at: at(4 * DAY) }),
    ];
    const { decision, ctx } = decide({ ledger: ledger({ decisions }) });
    expect(decision).toBeUndefined();
    expect(ctx.displaces).toEqual(['promotion']);
    expect(ctx.reasons.map((r) => r.text)).toEqual([
      'Takes the weekly budget from a less urgent message that had not gone out yet.',
    ]);
  });
});

describe('channel choice (rule 3), on its own', () => {
  const choose = (over: Parameters<typeof context>[0] = {}, ctxOver = {}) => {
    const ctx = context(over, ctxOver);
    const decision = channelChoiceRule(ctx);
    return { decision, ctx, channel: ctx.channel, said: ctx.reasons };
  };
  const by = (code: string, text: string) => [{ rule: 'channel-choice', code, text }];

  it('a reminder goes where the first message went, and keeps that channel', () => {
    const reminder = request({ reminder: { of: 'd-first', number: 1, maxReminders: 2 } });
    const first = sent({ decisionId: 'd-first', channel: 'sms' });
    const r = choose({ request: reminder, ledger: ledger({ decisions: [sent(), first] }) });
    expect(r.decision).toBeUndefined();
    expect(r.channel).toBe('sms');
    expect(r.ctx.keptForContinuity).toBe(true);
    expect(r.said).toEqual(
      by('reminder_same_channel', 'By sms: a reminder goes where the first message went.'),
    );
    const gone = {
      outcome: 'suppressed',
      code: 'no_reachable_channel',
      reasons: by(
        'no_reachable_channel',
        'Not sent: the first message’s channel is no longer allowed.',
      ),
    };
    expect(choose({ request: reminder }).decision).toEqual(gone);
    expect(
      choose(
        { request: reminder, ledger: ledger({ decisions: [first] }) },
        { candidates: ['email'] },
      ).decision,
    ).toEqual(gone);
  });

  it('an intent already approved or held on a channel keeps it', () => {
    const same = { intentKey: 'bill:2026-12' };
    for (const d of [
      sent({ ...same, channel: 'letter' }),
      sent({ ...same, outcome: 'deferred', channel: 'letter' }),
    ]) {
      const r = choose({
        ledger: ledger({
          decisions: [sent({ ...same, outcome: 'approved', channel: undefined }), d],
        }),
      });
      expect(r.channel).toBe('letter');
      expect(r.ctx.keptForContinuity).toBe(true);
      expect(r.said).toEqual(
        by(
          'same_channel_as_before',
          'By letter: where the customer already heard about "bill:2026-12".',
        ),
      );
    }
    // Nothing was said on a suppressed or merged decision's channel.
    for (const outcome of ['suppressed', 'merged'] as const)
      expect(
        choose({ ledger: ledger({ decisions: [sent({ ...same, outcome, channel: 'letter' })] }) })
          .channel,
      ).toBe('voice');
    expect(choose({ request: request({ previousChannel: 'chat' }) }).channel).toBe('chat');
  });

  it('is not sent when that channel is no longer allowed: one intent never uses two', () => {
    const earlier = sent({ intentKey: 'bill:2026-12', channel: 'letter' });
    expect(
      choose({ ledger: ledger({ decisions: [earlier] }) }, { candidates: ['email'] }).decision,
    ).toEqual({
      outcome: 'suppressed',
      code: 'channel_no_longer_allowed',
      reasons: by(
        'channel_no_longer_allowed',
        'Not sent: "bill:2026-12" went by letter, which is no longer allowed, and one intent never uses two channels.',
      ),
    });
  });

  it.each([
    ['email', 'email'],
    ['sms', 'sms'],
    ['chat', 'chat'],
    ['voice', 'voice'],
    ['app', 'in_app'],
    ['social', 'chat'],
    ['push', 'push'],
    ['in_app', 'in_app'],
  ] as const)('answers a customer who used %s by %s', (touchpoint, channel) => {
    const r = choose({ request: request({ replyTo: { channel: touchpoint } }) });
    expect(r.channel).toBe(channel);
    expect(r.ctx.keptForContinuity).toBe(false);
    expect(r.said).toEqual(
      by(
        'reply_in_kind',
        `By ${channel}: the customer contacted us by ${touchpoint}, so we answer in kind.`,
      ),
    );
  });

  it('answers in kind within the policy’s window of their last contact, not after', () => {
    const last = (ms: number) => ledger({ lastInbound: { channel: 'chat', at: at(-ms) } });
    expect(choose({ ledger: last(7 * DAY) }).channel).toBe('chat');
    expect(choose({ ledger: last(7 * DAY + 1) }).channel).toBe('voice');
    // Where no channel answers in kind (the web), the next choice decides.
    expect(choose({ ledger: ledger({ lastInbound: { channel: 'web', at: NOW } }) }).channel).toBe(
      'voice',
    );
  });

  it('a call is returned only as an answer, not for the next message (replyInKindAnswersOnly)', () => {
    const called = ledger({ lastInbound: { channel: 'voice', at: at(-DAY) } });
    const answersOnly = { ...shippedPolicy, replyInKindAnswersOnly: ['voice'] };
    // Not an answer: the customer's call says nothing about how they want a bill.
    expect(
      choose({
        ledger: called,
        policy: answersOnly,
        request: request({ defaultChannels: ['email'] }),
      }).channel,
    ).toBe('email');
    // An answer to their call: called back.
    expect(
      choose({
        ledger: called,
        policy: answersOnly,
        request: request({ defaultChannels: ['email'], replyTo: { channel: 'voice' } }),
      }).said,
    ).toEqual(
      by('reply_in_kind', 'By voice: the customer contacted us by voice, so we answer in kind.'),
    );
    // Without the setting, any message answers in kind.
    expect(
      choose({
        ledger: called,
        policy: { ...shippedPolicy, replyInKindAnswersOnly: [] },
        request: request({ defaultChannels: ['email'] }),
      }).channel,
    ).toBe('voice');
  });

  it('then the category’s choice, then the general one', () => {
    const both = profile({ categoryChannels: { billing: 'letter' }, preferredChannel: 'push' });
    expect(choose({ profile: both }).said).toEqual(
      by('preferred_for_category', 'By letter: the customer asked for billing messages by letter.'),
    );
    expect(choose({ profile: profile({ preferredChannel: 'push' }) }).said).toEqual(
      by('preferred_channel', 'By push: the customer’s preferred channel.'),
    );
  });

  it('then an inference from the minimum confidence up, the first usable', () => {
    const inferred = (...i: { channel: Channel; confidence: number }[]) =>
      choose(
        { profile: profile({ inferred: i }) },
        { candidates: ALL.filter((c) => c !== 'chat') },
      );
    // The shipped minimum is 0.5 (docs/simulation.md).
    expect(inferred({ channel: 'push', confidence: 0.5 }).said).toEqual(
      by(
        'inferred_channel',
        'By push: how the customer deals with us shows they prefer it (confidence 0.50).',
      ),
    );
    expect(inferred({ channel: 'push', confidence: 0.49 }).channel).toBe('voice');
    expect(
      inferred(
        { channel: 'letter', confidence: 0.4 },
        { channel: 'chat', confidence: 0.9 },
        { channel: 'push', confidence: 0.7 },
      ).channel,
    ).toBe('push');
  });

  it('then the intent’s defaults, in its order, inside what the department allowed', () => {
    expect(choose().said).toEqual(
      by(
        'intent_default_channel',
        'By voice: the usual channel for "billing.payment_due", with nothing known against it.',
      ),
    );
    const allowed = request({ allowedChannels: ['chat', 'sms'] });
    expect(choose({ request: allowed }).channel).toBe('sms');
    expect(choose({ request: allowed }, { candidates: ['email', 'chat'] }).channel).toBe('chat');
  });

  it('is not sent when no channel is left', () => {
    expect(choose({}, { candidates: [] }).decision).toEqual({
      outcome: 'suppressed',
      code: 'no_reachable_channel',
      reasons: by(
        'no_reachable_channel',
        'Not sent: no channel the customer allows can carry this message.',
      ),
    });
  });
});

describe('fallback channels, on their own', () => {
  const policy = { ...shippedPolicy, fallback: { ...shippedPolicy.fallback, maxChannels: 4 } };
  const known = profile({
    categoryChannels: { billing: 'letter' },
    preferredChannel: 'push',
    inferred: [
      { channel: 'chat', confidence: 0.4 },
      { channel: 'in_app', confidence: 0.6 },
    ],
  });

  it('the channels known to reach the customer, in order, without the chosen one', () => {
    expect(fallbackChannels(context({ profile: known, policy }, { channel: 'push' }))).toEqual([
      'letter',
      'in_app',
      'voice',
      'email',
    ]);
    expect(fallbackChannels(context({ profile: known }, { channel: 'push' }))).toEqual(['letter']);
  });

  it('only channels still allowed, by the customer and the department', () => {
    expect(
      fallbackChannels(
        context(
          {
            profile: known,
            policy,
            request: request({ allowedChannels: ['voice', 'letter', 'sms'] }),
          },
          { channel: 'voice', candidates: ['email', 'sms', 'voice', 'in_app', 'letter'] },
        ),
      ),
    ).toEqual(['letter', 'sms']);
  });

  it('none for a category the policy does not name, nor for a message kept on its channel', () => {
    const promo = request({ category: 'promotion', urgency: 'low' });
    expect(
      fallbackChannels(context({ profile: known, policy, request: promo }, { channel: 'push' })),
    ).toEqual([]);
    expect(
      fallbackChannels(
        context({ profile: known, policy }, { channel: 'push', keptForContinuity: true }),
      ),
    ).toEqual([]);
  });
});

describe('quiet hours (rule 10), on their own', () => {
  const night = Date.parse('2026-11-23T22:30:00Z'); // 23:30 in Berlin
  const morning = Date.parse('2026-11-24T07:00:00Z'); // 08:00 in Berlin
  const when = (
    input: Parameters<typeof context>[0] = {},
    ctxOver: Parameters<typeof context>[1] = {},
  ) => {
    const ctx = context(input, { channel: 'email', ...ctxOver });
    const decision = quietHoursRule(ctx);
    return { decision, ctx };
  };

  it('in the day: goes now, until the evening’s quiet hours begin, saying nothing', () => {
    const { decision, ctx } = when();
    expect(decision).toBeUndefined();
    expect(ctx.sendAfter).toBe(now);
    expect(ctx.sendBefore).toBe(Date.parse('2026-11-23T20:00:00Z'));
    expect(ctx.reasons).toEqual([]);
  });

  it('at night: held to the morning, saying so in the customer’s time', () => {
    const { decision, ctx } = when({ now: new Date(night) });
    expect(decision).toBeUndefined();
    expect(ctx.sendAfter).toBe(morning);
    expect(ctx.sendBefore).toBe(Date.parse('2026-11-24T20:00:00Z'));
    expect(ctx.reasons).toEqual([
      {
        rule: 'quiet-hours',
        code: 'quiet_hours',
        text: 'Held until 2026-11-24 08:00 the customer’s time (Europe/Berlin), 2026-11-24T07:00:00.000Z: outside their quiet hours.',
      },
    ]);
    // At the very minute quiet hours end there is nothing to say.
    expect(when({ now: new Date(morning) }).ctx.reasons).toEqual([]);
  });

  describe('a customer whose time zone is not known', () => {
    // Markets on both US coasts; 13:30 UTC is 08:30 in New York and 05:30 in Los Angeles.
    const policy = {
      ...shippedPolicy,
      timeZones: {
        default: 'America/New_York',
        markets: ['America/New_York', 'America/Los_Angeles'],
      },
    };
    const early = new Date('2026-11-23T13:30:00Z');
    const unknown = profile({ timeZone: 'America/New_York', zoneUnknown: true });
    const laMorning = Date.parse('2026-11-23T16:00:00Z'); // 08:00 in LA (SMS quiet 21–08)

    it('a text waits until it is allowed in every market, and says why', () => {
      const { ctx } = when({ now: early, policy, profile: unknown }, { channel: 'sms' });
      expect(ctx.sendAfter).toBe(laMorning);
      // Until 21:00 in New York, the first market to go quiet.
      expect(ctx.sendBefore).toBe(Date.parse('2026-11-24T02:00:00Z'));
      expect(ctx.reasons[0]!.text).toContain(
        'outside quiet hours in every market (America/New_York, America/Los_Angeles): their time zone is not known',
      );
      // A call too (voice: 20:00–09:00): 09:00 in LA.
      expect(
        when({ now: early, policy, profile: unknown }, { channel: 'voice' }).ctx.sendAfter,
      ).toBe(Date.parse('2026-11-23T17:00:00Z'));
    });

    it('an email waits for every market too; a known zone keeps its own for texts', () => {
      // 08:30 in New York is 05:30 in Los Angeles: an email then would land in the night there.
      expect(
        when({ now: early, policy, profile: unknown }, { channel: 'email' }).ctx.sendAfter,
      ).toBe(laMorning);
      const known = profile({ timeZone: 'America/New_York' });
      expect(when({ now: early, policy, profile: known }, { channel: 'sms' }).ctx.sendAfter).toBe(
        early.getTime(),
      );
    });

    it('a critical text quiet in any market goes at once on a silent channel they use', () => {
      const outage = request({
        intentType: 'network.outage',
        category: 'outage',
        urgency: 'critical',
        defaultChannels: ['sms', 'push', 'email'],
      });
      const { ctx } = when(
        { now: early, policy, profile: unknown, request: outage },
        { channel: 'sms', candidates: ['sms', 'push', 'email'] },
      );
      expect(ctx.channel).toBe('push');
      expect(ctx.sendAfter).toBe(early.getTime());
      // Known to be in New York, where it is 08:30: the text goes.
      const known = when(
        { now: early, policy, profile: profile({ timeZone: 'America/New_York' }), request: outage },
        { channel: 'sms', candidates: ['sms', 'push', 'email'] },
      );
      expect(known.ctx.channel).toBe('sms');
    });

    it('markets whose allowed hours never meet: no time for a text', () => {
      const apart = {
        ...policy,
        timeZones: { default: 'UTC', markets: ['UTC', 'Asia/Shanghai', 'America/Los_Angeles'] },
      };
      const { decision } = when(
        { now: early, policy: apart, profile: profile({ timeZone: 'UTC', zoneUnknown: true }) },
        { channel: 'sms' },
      );
      expect(decision).toMatchObject({ outcome: 'suppressed', code: 'no_allowed_time' });
    });
  });

  it('not sent when it expires before quiet hours end', () => {
    expect(
      when({ now: new Date(night), request: request({ expiresAt: new Date(morning) }) }).decision,
    ).toEqual({
      outcome: 'suppressed',
      code: 'expired',
      reasons: [
        {
          rule: 'quiet-hours',
          code: 'expired',
          text: 'Not sent: it expires before the customer’s quiet hours end (2026-11-24 08:00 the customer’s time (Europe/Berlin), 2026-11-24T07:00:00.000Z).',
        },
      ],
    });
    expect(
      when({ now: new Date(night), request: request({ expiresAt: new Date(morning + 1) }) }).ctx
        .sendAfter,
    ).toBe(morning);
  });

  it('not sent when the customer’s hours and the channel’s leave no time at all', () => {
    const dayQuiet = profile({ quietHours: { start: '09:00', end: '20:00' } });
    expect(when({ profile: dayQuiet }, { channel: 'voice' }).decision).toEqual({
      outcome: 'suppressed',
      code: 'no_allowed_time',
      reasons: [
        {
          rule: 'quiet-hours',
          code: 'no_allowed_time',
          text: 'Not sent: the customer’s quiet hours leave no time for this channel.',
        },
      ],
    });
  });

  it('do-not-disturb holds it until then, and only while it lasts', () => {
    const dnd = (ms: number) => profile({ doNotDisturbUntil: at(ms) });
    const { ctx } = when({ profile: dnd(2 * HOUR) });
    expect(ctx.sendAfter).toBe(now + 2 * HOUR);
    expect(ctx.reasons).toEqual([
      {
        rule: 'quiet-hours',
        code: 'do_not_disturb',
        text: 'Held until 2026-11-23 12:00 the customer’s time (Europe/Berlin), 2026-11-23T11:00:00.000Z: they asked not to be disturbed until then.',
      },
    ]);
    for (const past of [-HOUR, 0]) {
      const over = when({ profile: dnd(past) }).ctx;
      expect(over.sendAfter).toBe(now);
      expect(over.reasons).toEqual([]);
    }
  });

  it('do-not-disturb ending at night: held to the morning, both said', () => {
    const { ctx } = when({ profile: profile({ doNotDisturbUntil: new Date(night) }) });
    expect(ctx.sendAfter).toBe(morning);
    expect(ctx.reasons.map((r) => [r.code, r.text])).toEqual([
      [
        'do_not_disturb',
        'Held until 2026-11-24 08:00 the customer’s time (Europe/Berlin), 2026-11-24T07:00:00.000Z: they asked not to be disturbed until 2026-11-23 23:30, and then it is their quiet hours.',
      ],
    ]);
  });

  describe('a critical message inside quiet hours', () => {
    const critical = (over = {}) => request({ urgency: 'critical', ...over });

    it('goes at once on a silent channel the intent uses, until it expires', () => {
      const { decision, ctx } = when(
        { now: new Date(night), request: critical() },
        { channel: 'sms' },
      );
      expect(decision).toBeUndefined();
      expect(ctx.channel).toBe('email');
      expect(ctx.sendAfter).toBe(night);
      expect(ctx.sendBefore).toBe(critical().expiresAt.getTime());
      expect(ctx.reasons).toEqual([
        {
          rule: 'quiet-hours',
          code: 'critical_silent_channel',
          text: 'Critical, inside quiet hours: sent at once by email, which does not disturb.',
        },
      ]);
    });

    it('or one the customer chose or is seen to use', () => {
      const smsOnly = critical({ defaultChannels: ['sms'] });
      const silent = (p: ReturnType<typeof profile>) =>
        when({ now: new Date(night), request: smsOnly, profile: p }, { channel: 'sms' }).ctx
          .channel;
      expect(silent(profile({ preferredChannel: 'push' }))).toBe('push');
      expect(silent(profile({ inferred: [{ channel: 'in_app', confidence: 0.1 }] }))).toBe(
        'in_app',
      );
      expect(silent(profile({ categoryChannels: { billing: 'in_app' } }))).toBe('in_app');
    });

    it('never on a silent channel not known to reach them, nor one ruled out', () => {
      const smsOnly = critical({ defaultChannels: ['sms'] });
      const { ctx } = when({ now: new Date(night), request: smsOnly }, { channel: 'sms' });
      expect(ctx.channel).toBe('sms');
      expect(ctx.sendAfter).toBe(morning);
      const noEmail = when(
        { now: new Date(night), request: critical({ allowedChannels: ['sms', 'voice', 'email'] }) },
        { channel: 'sms', candidates: ['sms', 'voice'] },
      ).ctx;
      expect(noEmail.channel).toBe('sms');
      const notAllowed = when(
        { now: new Date(night), request: critical({ allowedChannels: ['sms'] }) },
        { channel: 'sms' },
      ).ctx;
      expect(notAllowed.channel).toBe('sms');
    });

    it('in the day it stays on its channel; under do-not-disturb it goes silently', () => {
      expect(when({ request: critical() }, { channel: 'sms' }).ctx.channel).toBe('sms');
      const dnd = profile({ doNotDisturbUntil: at(2 * HOUR) });
      expect(when({ request: critical(), profile: dnd }, { channel: 'sms' }).ctx.channel).toBe(
        'email',
      );
    });

    it('when only the channel’s own stricter hours are quiet (voice at 08:30)', () => {
      const early = new Date('2026-11-24T07:30:00Z');
      expect(when({ now: early, request: critical() }, { channel: 'voice' }).ctx.channel).toBe(
        'email',
      );
    });

    it('a channel kept for continuity stays, and waits out the night', () => {
      const { ctx } = when(
        { now: new Date(night), request: critical() },
        { channel: 'sms', keptForContinuity: true },
      );
      expect(ctx.channel).toBe('sms');
      expect(ctx.sendAfter).toBe(morning);
    });

    it('a channel kept for continuity that does not disturb goes at once (an outage update)', () => {
      const { ctx } = when(
        { now: new Date(night), request: critical() },
        { channel: 'push', keptForContinuity: true },
      );
      expect(ctx.channel).toBe('push');
      expect(ctx.sendAfter).toBe(night);
      expect(ctx.sendBefore).toBe(critical().expiresAt.getTime());
      expect(ctx.reasons.map((r) => r.code)).toEqual(['critical_silent_channel']);
      // Not a critical one: it waits like any other.
      expect(
        when({ now: new Date(night) }, { channel: 'push', keptForContinuity: true }).ctx.sendAfter,
      ).toBe(morning);
    });
  });
});
