// Each survey rule on its own: what it decides, until when, and the exact words an agent reads.
// survey-gate.spec.ts tells the same rules through the whole gate.
import type { GateContext, SurveyLedger } from '../model';
import { gateSurveys } from '../survey-gate';
import { DAY, HOUR, ledger, MIN, NOW, survey, testPolicy } from '../test-fixtures';
import { afterContactRule } from './after-contact.rule';
import { knownSurveyTypeRule } from './known-survey-type.rule';
import { onePerInteractionRule } from './one-per-interaction.rule';
import { openCaseRule } from './open-case.rule';
import { pendingContactRule } from './pending-contact.rule';
import { samplePoint, samplingRule } from './sampling.rule';
import { settleRule } from './settle.rule';
import { surveyChannelRule } from './survey-channel.rule';
import { surveyExpiryRule } from './survey-expiry.rule';
import { byPriority, lowerPriority } from './survey-priority.rule';
import { surveyWindowRule } from './survey-window.rule';

const now = NOW.getTime();
const at = (ms: number) => new Date(now + ms);
const ctx = (over: Partial<SurveyLedger> = {}, policy = testPolicy()): GateContext => ({
  ledger: ledger(over),
  policy,
  now,
});
const contact = (decisionId: string, state: 'pending' | 'sent', when: number) => ({
  decisionId,
  state,
  at: at(when),
  decidedAt: at(when),
});

describe('after-contact, on its own', () => {
  it('waits a day after the last message that reached the customer, saying when that was', () => {
    const contacts = [
      contact('d-2h', 'sent', -2 * HOUR),
      contact('d-5h', 'sent', -5 * HOUR),
      contact('d-pending', 'pending', -HOUR),
    ];
    expect(afterContactRule(survey(), ctx({ contacts }))).toEqual({
      until: now + 22 * HOUR,
      reason: {
        rule: 'after-contact',
        code: 'contacted_today',
        text: 'Held until 2026-11-24T10:00:00.000Z: the customer already heard from us at 2026-11-23T10:00:00.000Z.',
      },
    });
  });

  it('not once a full day has passed, nor for a message still to go, nor past the survey’s end', () => {
    expect(afterContactRule(survey(), ctx({ contacts: [contact('d', 'sent', -DAY)] }))).toBe(
      undefined,
    );
    expect(afterContactRule(survey(), ctx({ contacts: [contact('d', 'pending', -HOUR)] }))).toBe(
      undefined,
    );
    const soon = survey({ expiresAt: at(HOUR) });
    expect(afterContactRule(soon, ctx({ contacts: [contact('d', 'sent', -HOUR)] }))?.until).toBe(
      now + HOUR,
    );
  });
});

describe('pending-contact, on its own', () => {
  it('waits for the latest message about to go out, at most the policy’s hold', () => {
    const contacts = [
      contact('d-late', 'pending', -HOUR),
      contact('d-early', 'pending', -3 * HOUR),
      contact('d-sent', 'sent', -MIN),
    ];
    expect(pendingContactRule(survey(), ctx({ contacts }))).toEqual({
      until: now - HOUR + 2 * DAY,
      reason: {
        rule: 'pending-contact',
        code: 'contact_pending',
        text: 'Held: another message to the customer (d-late) has not gone out yet; asked after it, at the latest 2026-11-25T11:00:00.000Z.',
      },
    });
  });

  it('not for what went out, nor for a message pending longer than the hold, nor past the end', () => {
    expect(pendingContactRule(survey(), ctx({ contacts: [contact('d', 'sent', -MIN)] }))).toBe(
      undefined,
    );
    expect(
      pendingContactRule(survey(), ctx({ contacts: [contact('d', 'pending', -2 * DAY)] })),
    ).toBe(undefined);
    const soon = survey({ expiresAt: at(HOUR) });
    expect(
      pendingContactRule(soon, ctx({ contacts: [contact('d', 'pending', -MIN)] }))?.until,
    ).toBe(now + HOUR);
  });
});

describe('survey-window, on its own', () => {
  const asked = (over = {}) =>
    survey({ surveyType: 'post-service', status: 'approved', decidedAt: at(-10 * DAY), ...over });

  it('one survey per window: says which and when', () => {
    expect(surveyWindowRule(survey(), ctx({ surveys: [asked()] }))).toEqual({
      rule: 'survey-window',
      code: 'survey_window',
      text: 'Not sent: the customer was asked post-service on 2026-11-13; one survey per 90 days.',
    });
  });

  it('what was not asked, or asked a full window ago, or never reached them, does not count', () => {
    const s = survey();
    for (const other of [
      asked({ key: s.key }),
      asked({ status: 'held' }),
      asked({ status: 'suppressed' }),
      asked({ droppedDownstream: true }),
      asked({ decidedAt: at(-90 * DAY) }),
      asked({ decidedAt: undefined }),
    ])
      expect(surveyWindowRule(s, ctx({ surveys: [other] }))).toBeUndefined();
  });
});

describe('one-per-interaction, on its own', () => {
  it('an interaction surveyed already is not surveyed again, by anyone', () => {
    const s = survey({ interactionId: 'call-77' });
    const earlier = survey({ interactionId: 'call-77', surveyType: 'nps', status: 'approved' });
    expect(onePerInteractionRule(s, ctx({ surveys: [earlier] }))).toEqual({
      rule: 'one-per-interaction',
      code: 'interaction_already_surveyed',
      text: 'Not sent: interaction call-77 already has a survey (nps).',
    });
    for (const other of [
      { ...earlier, key: s.key },
      { ...earlier, status: 'held' as const },
      { ...earlier, interactionId: 'call-78' },
    ])
      expect(onePerInteractionRule(s, ctx({ surveys: [other] }))).toBeUndefined();
  });
});

describe('survey-priority, on its own', () => {
  const order = (...surveys: ReturnType<typeof survey>[]) =>
    [...surveys].sort(byPriority(ctx())).map((s) => s.key);

  it('the policy’s order first, then the earliest asked, then the key', () => {
    const nps = survey({ key: 'n', surveyType: 'nps', receivedAt: at(-HOUR) });
    const call = survey({ key: 'c', surveyType: 'post-call' });
    const visit = survey({ key: 'v', surveyType: 'post-service' });
    expect(order(nps, call, visit)).toEqual(['v', 'c', 'n']);
    const a = survey({ key: 'a', receivedAt: NOW });
    const b = survey({ key: 'b', receivedAt: NOW });
    expect(order(b, a)).toEqual(['a', 'b']);
    expect(order(a, b)).toEqual(['a', 'b']);
    const later = survey({ key: 'z', receivedAt: at(-2 * MIN) });
    expect(order(a, later)).toEqual(['z', 'a']);
  });

  it('a type the policy does not rank comes last', () => {
    const unknown = survey({ key: 'u', surveyType: 'csat', receivedAt: at(-HOUR) });
    expect(order(unknown, survey({ key: 'n', surveyType: 'nps' }))).toEqual(['n', 'u']);
  });

  it('the loser is told why, in words', () => {
    const winner = survey({ surveyType: 'post-service' });
    expect(lowerPriority(survey({ surveyType: 'post-service' }), winner)).toEqual({
      rule: 'survey-priority',
      code: 'lower_priority',
      text: 'Not sent: the same survey (post-service) was asked for already; one is enough.',
    });
    expect(lowerPriority(survey({ surveyType: 'nps' }), winner).text).toBe(
      'Not sent: post-service was chosen instead; it comes first in the survey policy.',
    );
  });
});

describe('sampling, on its own', () => {
  it('a customer’s point is fixed for a survey type (FNV-1a), the same every time', () => {
    expect(samplePoint('cust-1', 'nps')).toBe(0.4379249180201441);
    expect(samplePoint('carol', 'nps')).toBe(0.6470246792305261);
  });

  it('only customers whose point falls inside the share are asked', () => {
    const nps = survey({ surveyType: 'nps' });
    expect(samplingRule(nps, ctx({ customerId: 'cust-1' }))).toBeUndefined();
    expect(samplingRule(nps, ctx({ customerId: 'carol' }))).toEqual({
      rule: 'sampling',
      code: 'not_sampled',
      text: 'Not sent: nps asks 50% of customers, and this customer is not in that sample.',
    });
    // A point exactly at the share is outside it: [0, share).
    const policy = testPolicy({
      surveys: {
        'post-service': { sample: 1, topic: 't', actionUrl: 'https://s.example/ps' },
        'post-call': { sample: 1, topic: 't', actionUrl: 'https://s.example/pc' },
        nps: { sample: samplePoint('cust-1', 'nps'), topic: 't', actionUrl: 'https://s.example/n' },
      },
    });
    expect(samplingRule(nps, ctx({ customerId: 'cust-1' }, policy))?.code).toBe('not_sampled');
  });
});

describe('settle, expiry, known types and open cases, on their own', () => {
  it('waits the settle time after the request, then no longer', () => {
    expect(settleRule(survey({ receivedAt: at(-30_000) }), ctx())).toEqual({
      until: now + 30_000,
      reason: {
        rule: 'settle',
        code: 'settling',
        text: 'Held until 2026-11-23T12:00:30.000Z for other surveys about the same customer to arrive.',
      },
    });
    expect(settleRule(survey({ receivedAt: at(-MIN) }), ctx())).toBeUndefined();
  });

  it('a survey is dropped at the moment it expires', () => {
    expect(surveyExpiryRule(survey({ expiresAt: NOW }), ctx())).toEqual({
      rule: 'survey-expiry',
      code: 'expired',
      text: 'Not sent: its moment passed at 2026-11-23T12:00:00.000Z.',
    });
    expect(surveyExpiryRule(survey({ expiresAt: at(1) }), ctx())).toBeUndefined();
  });

  it('names the policy’s types when a survey type is unknown', () => {
    expect(knownSurveyTypeRule(survey({ surveyType: 'csat' }), ctx())).toEqual({
      rule: 'known-survey-type',
      code: 'unknown_survey_type',
      text: 'Not sent: "csat" is not a survey type of survey policy test-1 (post-service, post-call, nps).',
    });
  });

  it('names the open case', () => {
    expect(openCaseRule(ctx({ openCases: [{ caseId: 'c-1', kind: 'complaint' }] }))).toEqual({
      rule: 'open-case',
      code: 'case_open',
      text: 'Not sent: the customer has an open complaint case (c-1).',
    });
  });
});

describe('survey-channel, on its own', () => {
  it('asks where the interaction took place when that channel carries surveys', () => {
    expect(surveyChannelRule(survey({ touchpoint: 'sms' }), ctx())).toEqual({
      channels: ['sms'],
      reason: {
        rule: 'survey-channel',
        code: 'interaction_channel',
        text: 'Asked by sms, where the interaction took place.',
      },
    });
  });

  it('else leaves it to the customer’s preference, inside what the department allowed', () => {
    expect(surveyChannelRule(survey({ touchpoint: 'store' }), ctx())).toEqual({
      reason: {
        rule: 'survey-channel',
        code: 'preferred_channel',
        text: "The interaction (store) cannot carry a survey; it goes on the customer's preferred channel.",
      },
    });
    const { touchpoint: _none, ...noTouchpoint } = survey();
    expect(surveyChannelRule(noTouchpoint, ctx()).reason.text).toBe(
      "No interaction channel to ask on; it goes on the customer's preferred channel.",
    );
    expect(surveyChannelRule(survey({ touchpoint: 'sms', channels: ['email'] }), ctx())).toEqual({
      channels: ['email'],
      reason: expect.objectContaining({ code: 'preferred_channel' }),
    });
  });
});

describe('the gate holds with the holding rule’s reason', () => {
  it('a survey still settling is held, saying so', () => {
    const s = survey({ receivedAt: at(-30_000) });
    expect(gateSurveys(ledger({ surveys: [s] }), testPolicy(), NOW)).toEqual([
      {
        key: s.key,
        outcome: 'held',
        until: at(30_000),
        code: 'settling',
        reasons: [
          {
            rule: 'settle',
            code: 'settling',
            text: 'Held until 2026-11-23T12:00:30.000Z for other surveys about the same customer to arrive.',
          },
        ],
      },
    ]);
  });
});
