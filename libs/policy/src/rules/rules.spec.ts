import { decide } from '../engine';
import {
  DAY,
  HOUR,
  ledger,
  NOW,
  profile,
  request,
  sent,
  shippedPolicy as policy,
} from '../test-fixtures';

const run = (over: Partial<Parameters<typeof decide>[0]> = {}) =>
  decide({ request: request(), ledger: ledger(), profile: profile(), policy, now: NOW, ...over });

const codes = (d: ReturnType<typeof decide>) => d.reasons.map((r) => r.code);

describe('the one-voice rules', () => {
  describe('expiry (rule 11)', () => {
    it('drops a message whose moment has passed', () => {
      const d = run({ request: request({ expiresAt: new Date(NOW.getTime() - 1) }) });
      expect(d).toMatchObject({ outcome: 'suppressed', code: 'expired' });
    });
    it('holds a message until its notBefore', () => {
      const notBefore = new Date(NOW.getTime() + 2 * HOUR);
      const d = run({ request: request({ notBefore }) });
      expect(d.outcome === 'approved' && d.sendAfter.getTime()).toBe(notBefore.getTime());
      expect(d.reasons).toContainEqual({
        rule: 'expiry',
        code: 'not_before',
        // The customer's clock (the fixtures' customer is in Berlin), then the instant.
        text: 'Not before 2026-11-23 12:00 the customer’s time (Europe/Berlin), 2026-11-23T11:00:00.000Z: the time its sender set for it.',
      });
    });
    it('says nothing of a notBefore already passed', () => {
      const d = run({ request: request({ notBefore: new Date(NOW.getTime() - HOUR) }) });
      expect(codes(d)).not.toContain('not_before');
    });
  });

  describe('fulfilment and supersession (rule 8)', () => {
    it('does not send what was already done', () => {
      const d = run({
        ledger: ledger({ fulfilledIntents: [{ intentKey: 'bill:2026-12', at: NOW }] }),
      });
      expect(d).toMatchObject({ outcome: 'suppressed', code: 'fulfilled' });
    });
    it('an older update never follows a newer one', () => {
      const d = run({
        request: request({ update: 1 }),
        ledger: ledger({ decisions: [sent({ intentKey: 'bill:2026-12', update: 2 })] }),
      });
      expect(d).toMatchObject({ outcome: 'suppressed', code: 'superseded' });
    });
    it('a newer update replaces the one still waiting', () => {
      const waiting = sent({
        decisionId: 'd-u1',
        intentKey: 'bill:2026-12',
        update: 1,
        sent: false,
        at: new Date(NOW.getTime() + HOUR),
      });
      const d = run({ request: request({ update: 2 }), ledger: ledger({ decisions: [waiting] }) });
      expect(d.outcome).toBe('approved');
      expect(d.outcome === 'approved' && d.supersedes).toEqual(['d-u1']);
    });
  });

  describe('targeting (rule 12)', () => {
    const outage = request({
      intentType: 'network.outage',
      intentKey: 'outage:o1',
      category: 'outage',
      urgency: 'critical',
      defaultChannels: ['sms', 'push', 'email'],
    });
    it('tells only customers an outage affects', () => {
      expect(run({ request: outage })).toMatchObject({
        outcome: 'suppressed',
        code: 'not_affected',
      });
      expect(
        run({ request: outage, ledger: ledger({ openCases: [{ caseId: 'o1', kind: 'outage' }] }) })
          .outcome,
      ).toBe('approved');
    });
  });

  describe('conflicts (rule 6)', () => {
    const promo = request({
      intentType: 'loyalty.offer',
      intentKey: 'offer:1',
      category: 'promotion',
      urgency: 'low',
      defaultChannels: ['email'],
    });
    it.each(['collections', 'complaint', 'outage'] as const)(
      'no promotion during an open %s case',
      (kind) => {
        const d = run({ request: promo, ledger: ledger({ openCases: [{ caseId: 'c', kind }] }) });
        expect(d).toMatchObject({ outcome: 'suppressed', code: `conflict_${kind}` });
      },
    );
    it('no survey while any case is open', () => {
      const survey = request({
        intentType: 'survey.invite',
        intentKey: 'survey:1',
        category: 'survey',
        urgency: 'low',
        defaultChannels: ['email'],
      });
      expect(
        run({ request: survey, ledger: ledger({ openCases: [{ caseId: 'c', kind: 'service' }] }) }),
      ).toMatchObject({ outcome: 'suppressed' });
    });
  });

  describe('consent and opt-out (rule 1)', () => {
    it('a category opted out of is never sent', () => {
      expect(run({ profile: profile({ optOuts: [{ category: 'billing' }] }) })).toMatchObject({
        outcome: 'suppressed',
        code: 'opted_out_category',
      });
    });
    it('an opted-out channel is never used, even as the default', () => {
      const d = run({ profile: profile({ optOuts: [{ channel: 'voice' }] }) });
      expect(d.outcome === 'approved' && d.channel).toBe('email');
    });
    it('SMS marketing needs a recorded consent', () => {
      const promo = request({
        category: 'promotion',
        urgency: 'low',
        intentKey: 'offer:2',
        defaultChannels: ['sms'],
        expiresAt: new Date(NOW.getTime() + 14 * DAY),
      });
      expect(run({ request: promo })).toMatchObject({
        outcome: 'suppressed',
        code: 'no_reachable_channel',
      });
      const withConsent = run({
        request: promo,
        profile: profile({ consents: [{ channel: 'sms', purpose: 'promotion' }] }),
      });
      expect(withConsent.outcome).toBe('deferred'); // held for the digest, on sms
    });
  });

  describe('one channel per intent (rule 2)', () => {
    it('a duplicate of a message already sent is suppressed, whatever department sends it', () => {
      const d = run({
        request: request({ source: 'collections', requestId: 'req-2' }),
        ledger: ledger({ decisions: [sent({ intentKey: 'bill:2026-12', channel: 'email' })] }),
      });
      expect(d).toMatchObject({ outcome: 'suppressed', code: 'duplicate_intent' });
    });
    it('a duplicate of a message still waiting merges into it', () => {
      const waiting = sent({
        decisionId: 'd-wait',
        intentKey: 'bill:2026-12',
        outcome: 'deferred',
        sent: false,
        at: new Date(NOW.getTime() + HOUR),
      });
      expect(run({ ledger: ledger({ decisions: [waiting] }) })).toMatchObject({
        outcome: 'merged',
        into: 'd-wait',
      });
    });
  });

  describe('channel choice (rule 3)', () => {
    const pick = (over: Parameters<typeof run>[0]) => {
      const d = run(over);
      return d.outcome === 'approved' ? d.channel : d.outcome;
    };
    it('answers in kind: a customer who emailed gets an email, not a call', () => {
      expect(
        pick({
          ledger: ledger({ lastInbound: { channel: 'email', at: new Date(NOW.getTime() - DAY) } }),
        }),
      ).toBe('email');
      expect(pick({ request: request({ replyTo: { channel: 'chat' } }) })).toBe('chat');
    });
    it('prefers the category preference, then the general one', () => {
      expect(
        pick({
          profile: profile({ preferredChannel: 'sms', categoryChannels: { billing: 'email' } }),
        }),
      ).toBe('email');
      expect(pick({ profile: profile({ preferredChannel: 'sms' }) })).toBe('sms');
    });
    it('uses the inferred channel only when confident: the online-only customer gets no call', () => {
      expect(pick({ profile: profile({ inferred: [{ channel: 'chat', confidence: 0.9 }] }) })).toBe(
        'chat',
      );
      expect(pick({ profile: profile({ inferred: [{ channel: 'chat', confidence: 0.2 }] }) })).toBe(
        'voice',
      );
    });
    it('never guesses a channel the customer refused', () => {
      expect(
        run({
          profile: profile({
            optOuts: [{ channel: 'voice' }, { channel: 'email' }, { channel: 'sms' }],
          }),
        }),
      ).toMatchObject({ outcome: 'suppressed', code: 'no_reachable_channel' });
    });
    it('keeps to the channels the department allowed', () => {
      expect(
        pick({
          request: request({ allowedChannels: ['sms'] }),
          profile: profile({ preferredChannel: 'email' }),
        }),
      ).toBe('sms');
    });
  });

  describe('fallback channels (rule 3: the next allowed channel)', () => {
    const fallback = (over: Parameters<typeof run>[0]) => {
      const d = run(over);
      if (d.outcome !== 'approved') throw new Error(`expected approved, got ${d.outcome}`);
      return d.fallback.map((f) => f.channel);
    };
    it('names the next channel known to reach the customer, with its quiet hours', () => {
      const d = run({ profile: profile({ preferredChannel: 'email' }) });
      expect(d).toMatchObject({ outcome: 'approved', channel: 'email' });
      // Their choice is used; the intent's defaults (voice, email, sms) give the next one.
      expect(d.outcome === 'approved' && d.fallback).toEqual([
        {
          channel: 'voice',
          quietHours: [
            { start: 21 * 60, end: 8 * 60 },
            { start: 20 * 60, end: 9 * 60 },
          ],
        },
      ]);
      expect(
        fallback({
          profile: profile({
            preferredChannel: 'email',
            inferred: [{ channel: 'chat', confidence: 0.9 }],
          }),
        }),
      ).toEqual(['chat']);
    });
    it('never to a channel the customer refused or the department ruled out', () => {
      expect(
        fallback({
          profile: profile({
            preferredChannel: 'email',
            optOuts: [{ channel: 'voice' }, { channel: 'sms' }],
          }),
        }),
      ).toEqual([]);
      expect(
        fallback({
          request: request({ allowedChannels: ['email', 'sms'] }),
          profile: profile({ preferredChannel: 'email' }),
        }),
      ).toEqual(['sms']);
    });
    it('only for the categories the policy names: a promotion never falls back', () => {
      expect(
        fallback({
          request: request({
            intentType: 'loyalty.offer',
            intentKey: 'offer:1',
            category: 'promotion',
            urgency: 'normal',
            defaultChannels: ['email', 'push'],
          }),
          profile: profile({ preferredChannel: 'email' }),
        }),
      ).toEqual([]);
      expect(
        fallback({ policy: { ...policy, fallback: { categories: [], maxChannels: 0 } } }),
      ).toEqual([]);
    });
    it('not for a message that keeps its channel: an update, a reminder', () => {
      const threeDaysAgo = new Date(NOW.getTime() - 3 * DAY);
      const earlier = sent({
        decisionId: 'd-first',
        intentKey: 'bill:2026-12',
        channel: 'sms',
        at: threeDaysAgo,
        decidedAt: threeDaysAgo,
      });
      expect(
        fallback({
          request: request({ reminder: { of: 'd-first', number: 1, maxReminders: 1 } }),
          ledger: ledger({ decisions: [earlier] }),
        }),
      ).toEqual([]);
      expect(fallback({ request: request({ previousChannel: 'sms' }) })).toEqual([]);
    });
    it('as many as the policy allows, in order', () => {
      expect(
        fallback({
          policy: { ...policy, fallback: { categories: ['billing'], maxChannels: 2 } },
          profile: profile({ preferredChannel: 'sms' }),
        }),
      ).toEqual(['voice', 'email']);
    });
  });

  describe('reminders (rule 9)', () => {
    const threeDaysAgo = new Date(NOW.getTime() - 3 * DAY);
    const first = sent({
      decisionId: 'd-first',
      intentKey: 'bill:2026-12',
      channel: 'sms',
      at: threeDaysAgo,
      decidedAt: threeDaysAgo,
    });
    const reminder = request({
      requestId: 'rem-1',
      reminder: { of: 'd-first', number: 1, maxReminders: 1 },
    });
    it('goes on the first message’s channel when it was not engaged with', () => {
      const d = run({ request: reminder, ledger: ledger({ decisions: [first] }) });
      expect(d.outcome === 'approved' && d.channel).toBe('sms');
    });
    it('not after engagement, not beyond the limit, never after fulfilment', () => {
      expect(
        run({ request: reminder, ledger: ledger({ decisions: [{ ...first, engaged: true }] }) }),
      ).toMatchObject({ code: 'reminder_not_needed' });
      expect(
        run({
          request: { ...reminder, reminder: { of: 'd-first', number: 2, maxReminders: 1 } },
          ledger: ledger({ decisions: [first] }),
        }),
      ).toMatchObject({ code: 'reminder_limit' });
      expect(
        run({
          request: reminder,
          ledger: ledger({
            decisions: [first],
            fulfilledIntents: [{ intentKey: 'bill:2026-12', at: NOW }],
          }),
        }),
      ).toMatchObject({ code: 'fulfilled' });
    });
  });

  describe('frequency caps and priority (rules 4 and 5)', () => {
    const today = sent({ at: new Date(NOW.getTime() - HOUR) });
    it('one non-urgent contact a day: the next waits for the window', () => {
      const d = run({
        request: request({ urgency: 'normal', category: 'service', intentKey: 'svc:1' }),
        ledger: ledger({ decisions: [today] }),
      });
      expect(d).toMatchObject({ outcome: 'deferred' });
      expect(d.outcome === 'deferred' && d.until.getTime()).toBe(today.at!.getTime() + DAY);
    });
    it('critical messages are counted but not capped', () => {
      const outage = request({
        category: 'outage',
        urgency: 'critical',
        intentKey: 'out:1',
        intentType: 'network.outage',
      });
      const d = run({
        request: outage,
        ledger: ledger({ decisions: [today], openCases: [{ caseId: 'o', kind: 'outage' }] }),
      });
      expect(d.outcome).toBe('approved');
    });
    it('a message about what the customer did (transactional) is counted but not capped', () => {
      // The week's budget is used: the car being ready would wait a week, past its moment.
      const week = [1, 2, 3].map((n) =>
        sent({ decisionId: `d-w${n}`, at: new Date(NOW.getTime() - n * DAY) }),
      );
      const ready = request({
        urgency: 'normal',
        category: 'service',
        intentKey: 'ready:1',
        intentType: 'service.ready_for_pickup',
        expiresAt: new Date(NOW.getTime() + 3 * DAY),
      });
      const capped = run({ request: ready, ledger: ledger({ decisions: [today, ...week] }) });
      expect(capped).toMatchObject({ outcome: 'suppressed', code: 'cap_reached' });
      const d = run({
        request: { ...ready, transactional: true },
        ledger: ledger({ decisions: [today, ...week] }),
      });
      expect(d.outcome === 'approved' && d.sendAfter.getTime()).toBe(NOW.getTime());
      expect(d.reasons.map((r) => r.code)).toContain('transactional_uncapped');
    });
    it('a more urgent message takes the budget from a less urgent one that has not gone out', () => {
      const promoLater = sent({
        decisionId: 'd-promo',
        category: 'promotion',
        urgency: 'low',
        sent: false,
        at: new Date(NOW.getTime() + HOUR),
      });
      const d = run({ ledger: ledger({ decisions: [promoLater] }) });
      expect(d.outcome === 'approved' && d.displaces).toEqual(['d-promo']);
    });
    it('suppressed when the budget frees only after the message expires', () => {
      const d = run({
        request: request({
          urgency: 'normal',
          intentKey: 'svc:2',
          expiresAt: new Date(NOW.getTime() + 2 * HOUR),
        }),
        ledger: ledger({ decisions: [today] }),
      });
      expect(d).toMatchObject({ outcome: 'suppressed', code: 'cap_reached' });
    });
  });

  describe('digest (rule 7)', () => {
    const low = (id: string) =>
      request({
        requestId: id,
        intentKey: `info:${id}`,
        category: 'account',
        urgency: 'low',
        defaultChannels: ['email'],
      });
    it('holds the first low-urgency message for the digest window, and merges the next into it', () => {
      const first = run({ request: low('a') });
      expect(first).toMatchObject({ outcome: 'deferred' });
      const waiting = sent({
        decisionId: 'd-a',
        requestId: 'a',
        urgency: 'low',
        outcome: 'deferred',
        sent: false,
        at: first.outcome === 'deferred' ? first.until : NOW,
      });
      expect(run({ request: low('b'), ledger: ledger({ decisions: [waiting] }) })).toMatchObject({
        outcome: 'merged',
        into: 'd-a',
      });
    });
  });

  describe('quiet hours (rule 10)', () => {
    const lateInBerlin = new Date('2026-11-23T21:30:00Z'); // 22:30 in Berlin
    it('moves the send window to the next allowed morning, in the customer’s time zone', () => {
      const d = run({
        now: lateInBerlin,
        request: request({
          receivedAt: lateInBerlin,
          expiresAt: new Date(lateInBerlin.getTime() + 7 * DAY),
        }),
        profile: profile({ preferredChannel: 'email' }),
      });
      expect(d.outcome === 'approved' && d.sendAfter.toISOString()).toBe(
        '2026-11-24T07:00:00.000Z',
      ); // 08:00 Berlin
      expect(codes(d)).toContain('quiet_hours');
      // The agent reads the customer's clock, then the instant.
      expect(d.reasons.find((r) => r.code === 'quiet_hours')!.text).toBe(
        'Held until 2026-11-24 08:00 the customer’s time (Europe/Berlin), 2026-11-24T07:00:00.000Z: outside their quiet hours.',
      );
    });
    it('voice is stricter: not before 09:00', () => {
      const d = run({
        now: lateInBerlin,
        request: request({ expiresAt: new Date(lateInBerlin.getTime() + 7 * DAY) }),
      });
      expect(d.outcome === 'approved' && d.sendAfter.toISOString()).toBe(
        '2026-11-24T08:00:00.000Z',
      );
    });
    it('a critical message may go at once on a silent channel', () => {
      const outage = request({
        category: 'outage',
        urgency: 'critical',
        intentKey: 'out:2',
        intentType: 'network.outage',
        defaultChannels: ['sms', 'push', 'email'],
        expiresAt: new Date(lateInBerlin.getTime() + DAY),
      });
      const d = run({
        now: lateInBerlin,
        request: outage,
        ledger: ledger({ openCases: [{ caseId: 'o', kind: 'outage' }] }),
      });
      expect(d.outcome === 'approved' && [d.channel, d.sendAfter.getTime()]).toEqual([
        'push',
        lateInBerlin.getTime(),
      ]);
    });
    it('a critical update keeps the channel of the first message, waiting out the night rather than switching', () => {
      const earlier = sent({
        decisionId: 'd-out1',
        intentKey: 'out:3',
        category: 'outage',
        urgency: 'critical',
        channel: 'sms',
      });
      const update = request({
        category: 'outage',
        urgency: 'critical',
        intentKey: 'out:3',
        intentType: 'network.outage',
        update: 1,
        defaultChannels: ['sms', 'push', 'email'],
        expiresAt: new Date(lateInBerlin.getTime() + DAY),
      });
      const d = run({
        now: lateInBerlin,
        request: update,
        ledger: ledger({ decisions: [earlier], openCases: [{ caseId: 'o', kind: 'outage' }] }),
      });
      expect(d.outcome === 'approved' && [d.channel, d.sendAfter.toISOString()]).toEqual([
        'sms',
        '2026-11-24T07:00:00.000Z',
      ]);
    });
    it('respects do-not-disturb, and says it was that', () => {
      const until = new Date(NOW.getTime() + 3 * HOUR);
      const d = run({ profile: profile({ doNotDisturbUntil: until, preferredChannel: 'email' }) });
      expect(d.outcome === 'approved' && d.sendAfter.getTime()).toBe(until.getTime());
      const reason = d.reasons.find((r) => r.code === 'do_not_disturb')!;
      expect(reason.text).toMatch(/^Held until .*: they asked not to be disturbed until then\.$/);
    });
    it('do-not-disturb ending at night: held for both, each said', () => {
      const until = new Date('2026-11-23T21:30:00Z'); // 22:30 in Berlin
      const d = run({
        now: new Date('2026-11-23T12:00:00Z'),
        request: request({ expiresAt: new Date(until.getTime() + 7 * DAY) }),
        profile: profile({ doNotDisturbUntil: until, preferredChannel: 'email' }),
      });
      expect(d.outcome === 'approved' && d.sendAfter.toISOString()).toBe(
        '2026-11-24T07:00:00.000Z',
      );
      expect(d.reasons.find((r) => r.code === 'do_not_disturb')!.text).toBe(
        'Held until 2026-11-24 08:00 the customer’s time (Europe/Berlin), 2026-11-24T07:00:00.000Z: they asked not to be disturbed until 2026-11-23 22:30, and then it is their quiet hours.',
      );
    });
  });

  it('every decision says why, in words', () => {
    for (const d of [run(), run({ profile: profile({ optOuts: [{ category: 'billing' }] }) })]) {
      expect(d.reasons.length).toBeGreaterThan(0);
      for (const r of d.reasons) expect(r.text.length).toBeGreaterThan(10);
    }
  });
});
