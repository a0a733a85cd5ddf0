// Each rule on its own, from the context the rules before it leave: what it decides, what it
// changes in the context, and the exact words an agent reads. rules.spec.ts tells the same rules
// through the whole engine.
import { context, DAY, HOUR, ledger, NOW, profile, request, sent } from '../test-fixtures';
import { conflictRule } from './conflict.rule';
import { consentRule } from './consent.rule';
import { digestRule } from './digest.rule';
import { expiryRule } from './expiry.rule';
import { fulfilmentRule } from './fulfilment.rule';
import { oneChannelPerIntentRule } from './one-channel-per-intent.rule';
import { reminderRule } from './reminder.rule';
import { targetingRule } from './targeting.rule';

const now = NOW.getTime();
const at = (ms: number) => new Date(now + ms);

describe('targeting (rule 12), on its own', () => {
  const outage = (intentType = 'network.outage') =>
    request({ intentType, intentKey: 'outage:o1', category: 'outage', urgency: 'critical' });
  const toldBefore = sent({ intentKey: 'outage:o1', category: 'outage', outcome: 'approved' });
  const notAffected = {
    outcome: 'suppressed',
    code: 'not_affected',
    reasons: [
      {
        rule: 'targeting',
        code: 'not_affected',
        text: 'Not sent: no open outage affects this customer.',
      },
    ],
  };

  it('leaves every other category alone', () => {
    const ctx = context();
    expect(targetingRule(ctx)).toBeUndefined();
    expect(ctx.reasons).toEqual([]);
  });

  it('an outage message goes only to a customer with an open outage case', () => {
    expect(targetingRule(context({ request: outage() }))).toEqual(notAffected);
    const other = ledger({ openCases: [{ caseId: 'c-1', kind: 'collections' }] });
    expect(targetingRule(context({ request: outage(), ledger: other }))).toEqual(notAffected);
    const affected = ledger({ openCases: [{ caseId: 'o1', kind: 'outage' }] });
    expect(targetingRule(context({ request: outage(), ledger: affected }))).toBeUndefined();
  });

  it('the resolution reaches whoever was told of the outage, though the case has closed', () => {
    const told = ledger({ decisions: [toldBefore, sent({ category: 'billing' })] });
    expect(
      targetingRule(context({ request: outage('network.outage_resolved'), ledger: told })),
    ).toBeUndefined();
  });

  it('but not a customer who was never told, nor an update that is not the resolution', () => {
    const resolved = outage('network.outage_resolved');
    expect(targetingRule(context({ request: resolved }))).toEqual(notAffected);
    const toldLedger = ledger({ decisions: [toldBefore] });
    expect(targetingRule(context({ request: outage(), ledger: toldLedger }))).toEqual(notAffected);
    // "Told" means an approved outage message: not a suppressed one, not another category's.
    for (const d of [
      sent({ ...toldBefore, outcome: 'suppressed' }),
      sent({ ...toldBefore, category: 'billing' }),
    ])
      expect(
        targetingRule(context({ request: resolved, ledger: ledger({ decisions: [d] }) })),
      ).toEqual(notAffected);
  });
});

describe('digest (rule 7), on its own', () => {
  const low = (over = {}) => request({ urgency: 'low', category: 'promotion', ...over });
  const held = (until: number, clock: string) => ({
    outcome: 'deferred',
    until: new Date(until),
    reasons: [
      {
        rule: 'digest',
        code: 'held_for_digest',
        text: `Held until ${clock} the customer’s time (Europe/Berlin), ${new Date(until).toISOString()} so that other low-urgency messages can go out with it, as one.`,
      },
    ],
  });
  const waiting = (over = {}) =>
    sent({
      decisionId: 'd-digest',
      requestId: 'req-waiting',
      urgency: 'low',
      outcome: 'deferred',
      sent: false,
      at: at(2 * HOUR),
      ...over,
    });
  const mergedInto = (clock: string, instant: string) => ({
    outcome: 'merged',
    into: 'd-digest',
    reasons: [
      {
        rule: 'digest',
        code: 'merged_into_digest',
        text: `Merged into the digest waiting to go out at ${clock} the customer’s time (Europe/Berlin), ${instant}.`,
      },
    ],
  });

  it('holds the first low-urgency message for the digest window (4 hours)', () => {
    expect(digestRule(context({ request: low() }))).toEqual(
      held(now + 4 * HOUR, '2026-11-23 14:00'),
    );
  });

  it('a customer who asked for a daily or weekly digest gets normal messages in it too', () => {
    const normal = request({ urgency: 'normal', category: 'service' });
    expect(
      digestRule(context({ request: normal, profile: profile({ frequency: 'daily_digest' }) })),
    ).toEqual(held(now + DAY, '2026-11-24 10:00'));
    expect(
      digestRule(context({ request: normal, profile: profile({ frequency: 'weekly_digest' }) })),
    ).toEqual(held(now + 7 * DAY, '2026-11-30 10:00'));
    expect(
      digestRule(context({ request: normal, profile: profile({ frequency: 'as_it_comes' }) })),
    ).toBeUndefined();
    expect(digestRule(context({ request: normal }))).toBeUndefined();
    const high = request({ urgency: 'high' });
    expect(
      digestRule(context({ request: high, profile: profile({ frequency: 'daily_digest' }) })),
    ).toBeUndefined();
  });

  it('a reminder, or a digest whose time has come, is not held again', () => {
    expect(
      digestRule(
        context({ request: low({ reminder: { of: 'd-1', number: 1, maxReminders: 1 } }) }),
      ),
    ).toBeUndefined();
    expect(digestRule(context({ request: low({ heldBefore: true }) }))).toBeUndefined();
  });

  it('is not held past a later time the rules before it set', () => {
    expect(digestRule(context({ request: low() }, { sendAfter: now + 6 * HOUR }))).toEqual(
      held(now + 6 * HOUR, '2026-11-23 16:00'),
    );
  });

  it('goes on its own when it would expire before the digest, saying so', () => {
    for (const expiresAt of [at(3 * HOUR), at(4 * HOUR)]) {
      const ctx = context({ request: low({ expiresAt }) });
      expect(digestRule(ctx)).toBeUndefined();
      expect(ctx.reasons).toEqual([
        {
          rule: 'digest',
          code: 'digest_skipped',
          text: 'Sent on its own: it would expire before the digest goes out.',
        },
      ]);
    }
  });

  it('joins a digest already waiting inside the window', () => {
    const merged = mergedInto('2026-11-23 12:00', '2026-11-23T11:00:00.000Z');
    expect(
      digestRule(context({ request: low(), ledger: ledger({ decisions: [waiting()] }) })),
    ).toEqual(merged);
    // At the window's very end, and at the very moment this one may go.
    const edge = waiting({ at: at(4 * HOUR) });
    expect(
      digestRule(context({ request: low(), ledger: ledger({ decisions: [edge] }) })),
    ).toMatchObject({ outcome: 'merged', into: 'd-digest' });
    expect(
      digestRule(
        context(
          { request: low(), ledger: ledger({ decisions: [waiting()] }) },
          { sendAfter: now + 2 * HOUR },
        ),
      ),
    ).toEqual(merged);
  });

  it('joins only on a channel both may use', () => {
    const onEmail = waiting({ allowedChannels: ['email'] });
    const join = (req: ReturnType<typeof low>, d = onEmail) =>
      digestRule(context({ request: req, ledger: ledger({ decisions: [d] }) }))?.outcome;
    expect(join(low({ allowedChannels: ['sms'] }))).toBe('deferred');
    expect(join(low({ allowedChannels: ['sms', 'email'] }))).toBe('merged');
    expect(join(low())).toBe('merged');
    expect(join(low({ allowedChannels: ['sms'] }), waiting())).toBe('merged');
  });

  it('never joins what is not a waiting digest of the same urgency, in time', () => {
    for (const d of [
      waiting({ outcome: 'approved' }),
      waiting({ urgency: 'normal' }),
      waiting({ at: undefined }),
      waiting({ at: at(4 * HOUR + 1) }),
      waiting({ requestId: 'req-1' }),
    ])
      expect(
        digestRule(context({ request: low(), ledger: ledger({ decisions: [d] }) })),
      ).toMatchObject({ outcome: 'deferred' });
    // Earlier than this one may go.
    expect(
      digestRule(
        context(
          { request: low(), ledger: ledger({ decisions: [waiting()] }) },
          { sendAfter: now + 3 * HOUR },
        ),
      ),
    ).toMatchObject({ outcome: 'deferred' });
  });
});

describe('fulfilment and supersession (rule 8), on its own', () => {
  it('a fulfilled intent is not sent, saying when it was done', () => {
    const done = ledger({ fulfilledIntents: [{ intentKey: 'bill:2026-12', at: at(-HOUR) }] });
    expect(fulfilmentRule(context({ ledger: done }))).toEqual({
      outcome: 'suppressed',
      code: 'fulfilled',
      reasons: [
        {
          rule: 'fulfilment',
          code: 'fulfilled',
          text: 'Not sent: "bill:2026-12" was already done (fulfilled 2026-11-23T08:00:00.000Z).',
        },
      ],
    });
    const other = ledger({ fulfilledIntents: [{ intentKey: 'bill:2026-11', at: NOW }] });
    expect(fulfilmentRule(context({ ledger: other }))).toBeUndefined();
  });

  it('an intent done by a department that fulfils only its own holds only for its own requests', () => {
    const by = (source: string) =>
      ledger({ fulfilledIntents: [{ intentKey: 'bill:2026-12', at: NOW, source }] });
    // The request is billing's (the fixture's): loyalty's fulfilment leaves it, billing's ends it.
    expect(fulfilmentRule(context({ ledger: by('loyalty') }))).toBeUndefined();
    expect(fulfilmentRule(context({ ledger: by('billing') }))).toMatchObject({
      outcome: 'suppressed',
      code: 'fulfilled',
    });
    // A reminder (the coordinator's request) is its first message's department's.
    const reminder = request({
      source: 'onevoice/coordinator',
      reminder: { of: 'd-1', number: 1, maxReminders: 1, department: 'billing' },
    });
    expect(fulfilmentRule(context({ request: reminder, ledger: by('billing') }))).toMatchObject({
      outcome: 'suppressed',
    });
    expect(fulfilmentRule(context({ request: reminder, ledger: by('loyalty') }))).toBeUndefined();
  });

  it('an update no newer than one known is superseded', () => {
    for (const known of [2, 3]) {
      const d = sent({ intentKey: 'bill:2026-12', update: known });
      expect(
        fulfilmentRule(
          context({ request: request({ update: 2 }), ledger: ledger({ decisions: [d] }) }),
        ),
      ).toEqual({
        outcome: 'suppressed',
        code: 'superseded',
        reasons: [
          {
            rule: 'supersession',
            code: 'superseded',
            text: `Not sent: update ${known} of "bill:2026-12" is already known; this is update 2.`,
          },
        ],
      });
    }
  });

  it('a newer update replaces only what of the intent has not gone out', () => {
    const same = { intentKey: 'bill:2026-12', update: 1 };
    const decisions = [
      sent({ ...same, decisionId: 'approved-waiting', sent: false }),
      sent({ ...same, decisionId: 'approved-sent', sent: true }),
      sent({ ...same, decisionId: 'deferred', outcome: 'deferred', sent: false }),
      sent({ ...same, decisionId: 'suppressed', outcome: 'suppressed', sent: false }),
      sent({ ...same, decisionId: 'merged', outcome: 'merged', sent: false }),
      // Not an update: the first message of the intent is not replaced by an update.
      sent({ intentKey: 'bill:2026-12', decisionId: 'first', sent: false }),
    ];
    const ctx = context({ request: request({ update: 2 }), ledger: ledger({ decisions }) });
    expect(fulfilmentRule(ctx)).toBeUndefined();
    expect(ctx.supersedes).toEqual(['approved-waiting', 'deferred']);
    expect(ctx.reasons).toEqual([
      {
        rule: 'supersession',
        code: 'supersedes_update',
        text: 'Update 2 replaces the earlier update still waiting to go out.',
      },
    ]);
  });

  it('a message that is not an update replaces nothing', () => {
    const waiting = sent({ intentKey: 'bill:2026-12', update: 1, sent: false });
    const ctx = context({ ledger: ledger({ decisions: [waiting] }) });
    expect(fulfilmentRule(ctx)).toBeUndefined();
    expect(ctx.supersedes).toEqual([]);
    expect(ctx.reasons).toEqual([]);
  });
});

describe('consent (rule 1), on its own', () => {
  it('a category opted out of (on every channel) is never sent', () => {
    const out = profile({ optOuts: [{ category: 'billing' }] });
    expect(consentRule(context({ profile: out }))).toEqual({
      outcome: 'suppressed',
      code: 'opted_out_category',
      reasons: [
        {
          rule: 'consent',
          code: 'opted_out_category',
          text: 'Not sent: the customer opted out of billing messages.',
        },
      ],
    });
  });

  it('an opt-out of one channel for a category takes only that channel', () => {
    const ctx = context({
      profile: profile({ optOuts: [{ category: 'billing', channel: 'sms' }] }),
    });
    expect(consentRule(ctx)).toBeUndefined();
    expect(ctx.candidates).toEqual(['email', 'push', 'voice', 'letter', 'in_app', 'chat']);
    expect(ctx.reasons).toEqual([
      {
        rule: 'consent',
        code: 'channels_excluded',
        text: 'Not by sms: opted out, or no recorded consent for billing.',
      },
    ]);
  });

  it('opt-outs of another category change nothing, and say nothing', () => {
    const ctx = context({
      profile: profile({
        optOuts: [{ category: 'promotion' }, { category: 'promotion', channel: 'sms' }],
      }),
    });
    expect(consentRule(ctx)).toBeUndefined();
    expect(ctx.candidates).toEqual(['email', 'sms', 'push', 'voice', 'letter', 'in_app', 'chat']);
    expect(ctx.reasons).toEqual([]);
  });

  it('a channel opted out of altogether is gone for every category', () => {
    const ctx = context({
      profile: profile({ optOuts: [{ channel: 'voice' }, { channel: 'push' }] }),
    });
    consentRule(ctx);
    expect(ctx.candidates).toEqual(['email', 'sms', 'letter', 'in_app', 'chat']);
    expect(ctx.reasons.map((r) => r.text)).toEqual([
      'Not by push, voice: opted out, or no recorded consent for billing.',
    ]);
  });

  it('marketing by SMS or voice needs a consent recorded for that channel and purpose', () => {
    const promo = request({ category: 'promotion', urgency: 'low' });
    const ctx = context({
      request: promo,
      profile: profile({
        consents: [
          { channel: 'sms', purpose: 'promotion' },
          { channel: 'voice', purpose: 'billing' },
        ],
      }),
    });
    consentRule(ctx);
    expect(ctx.candidates).toEqual(['email', 'sms', 'push', 'letter', 'in_app', 'chat']);
    expect(ctx.reasons.map((r) => r.text)).toEqual([
      'Not by voice: opted out, or no recorded consent for promotion.',
    ]);
    const none = context({
      request: promo,
      profile: profile({ consents: [{ channel: 'email', purpose: 'promotion' }] }),
    });
    consentRule(none);
    expect(none.candidates).toEqual(['email', 'push', 'letter', 'in_app', 'chat']);
  });
});

describe('expiry (rule 11), on its own', () => {
  it('a message is dropped at the moment it expires, saying when', () => {
    expect(expiryRule(context({ request: request({ expiresAt: NOW }) }))).toEqual({
      outcome: 'suppressed',
      code: 'expired',
      reasons: [
        {
          rule: 'expiry',
          code: 'expired',
          text: 'Not sent: it expired at 2026-11-23T09:00:00.000Z, before it could go out.',
        },
      ],
    });
    expect(expiryRule(context({ request: request({ expiresAt: at(1) }) }))).toBeUndefined();
  });

  it('a notBefore at or before the time it may go changes nothing', () => {
    for (const notBefore of [undefined, NOW, at(-HOUR)]) {
      const ctx = context({ request: request(notBefore ? { notBefore } : {}) });
      expect(expiryRule(ctx)).toBeUndefined();
      expect(ctx.sendAfter).toBe(now);
      expect(ctx.reasons).toEqual([]);
    }
  });
});

describe('one channel per intent (rule 2), on its own', () => {
  const same = (over = {}) => sent({ intentKey: 'bill:2026-12', ...over });
  const decide = (...decisions: ReturnType<typeof sent>[]) =>
    oneChannelPerIntentRule(context({ ledger: ledger({ decisions }) }));

  it('merges into the first of the intent still waiting, naming its channel', () => {
    expect(
      decide(
        same({ decisionId: 'sent-one' }),
        same({ decisionId: 'w-1', sent: false, channel: 'sms' }),
        same({ decisionId: 'w-2', outcome: 'deferred', sent: false }),
      ),
    ).toEqual({
      outcome: 'merged',
      into: 'w-1',
      reasons: [
        {
          rule: 'one-channel-per-intent',
          code: 'merged_duplicate',
          text: 'Merged: the same message ("bill:2026-12") is already waiting to go out by sms.',
        },
      ],
    });
    const deferred = same({
      decisionId: 'w-2',
      outcome: 'deferred',
      sent: false,
      channel: undefined,
    });
    expect(decide(deferred)).toMatchObject({
      outcome: 'merged',
      into: 'w-2',
      reasons: [
        { text: 'Merged: the same message ("bill:2026-12") is already waiting to go out.' },
      ],
    });
  });

  it('suppresses a duplicate of what went out, naming its channel', () => {
    expect(decide(same({ channel: 'letter' }))).toEqual({
      outcome: 'suppressed',
      code: 'duplicate_intent',
      reasons: [
        {
          rule: 'one-channel-per-intent',
          code: 'duplicate_intent',
          text: 'Not sent: the customer already got "bill:2026-12" by letter.',
        },
      ],
    });
    expect(decide(same({ channel: undefined }))).toMatchObject({
      reasons: [{ text: 'Not sent: the customer already got "bill:2026-12".' }],
    });
  });

  it('what was suppressed or merged, or this very request, is no duplicate', () => {
    expect(
      decide(
        same({ outcome: 'suppressed' }),
        same({ outcome: 'merged' }),
        same({ requestId: 'req-1' }),
        same({ requestId: 'req-1', outcome: 'deferred', sent: false }),
      ),
    ).toBeUndefined();
  });
});

describe('reminders (rule 9), on its own', () => {
  const reminder = (number: number, maxReminders = 2) =>
    request({ reminder: { of: 'd-first', number, maxReminders } });
  const first = sent({ decisionId: 'd-first', intentKey: 'bill:2026-12' });
  const decide = (req = reminder(1), ...decisions: ReturnType<typeof sent>[]) =>
    reminderRule(context({ request: req, ledger: ledger({ decisions }) }));

  it('not beyond the catalogued number', () => {
    expect(decide(reminder(3), first)).toEqual({
      outcome: 'suppressed',
      code: 'reminder_limit',
      reasons: [
        {
          rule: 'reminder',
          code: 'reminder_limit',
          text: 'Not sent: "billing.payment_due" allows 2 reminder(s).',
        },
      ],
    });
    expect(decide(reminder(2), first)).toBeUndefined();
  });

  it('not of a message that never went out', () => {
    const without = {
      outcome: 'suppressed',
      code: 'reminder_without_message',
      reasons: [
        {
          rule: 'reminder',
          code: 'reminder_without_message',
          text: 'Not sent: the message it would remind of never went out.',
        },
      ],
    };
    expect(decide(reminder(1), sent({ decisionId: 'other' }))).toEqual(without);
    expect(
      decide(reminder(1), sent({ decisionId: 'other' }), sent({ ...first, outcome: 'suppressed' })),
    ).toEqual(without);
  });

  it('not after the customer engaged with the message or an earlier reminder of it', () => {
    const engaged = {
      outcome: 'suppressed',
      code: 'reminder_not_needed',
      reasons: [
        {
          rule: 'reminder',
          code: 'reminder_not_needed',
          text: 'Not sent: the customer already engaged with the first message.',
        },
      ],
    };
    expect(decide(reminder(1), { ...first, engaged: true })).toEqual(engaged);
    expect(
      decide(reminder(2), first, sent({ decisionId: 'r-1', reminderOf: 'd-first', engaged: true })),
    ).toEqual(engaged);
    // Engagement with something else says nothing about this message.
    expect(
      decide(reminder(1), first, sent({ decisionId: 'other', engaged: true })),
    ).toBeUndefined();
  });
});

describe('conflicts (rule 6), on its own', () => {
  it('names the case that stops the message', () => {
    const promo = request({ category: 'promotion', urgency: 'low' });
    const open = ledger({ openCases: [{ caseId: 'c-9', kind: 'collections' }] });
    expect(conflictRule(context({ request: promo, ledger: open }))).toEqual({
      outcome: 'suppressed',
      code: 'conflict_collections',
      reasons: [
        {
          rule: 'conflict',
          code: 'conflict_collections',
          text: 'Not sent: no promotion message while the customer has an open collections case (c-9).',
        },
      ],
    });
  });
});
