import { samplePoint } from './rules/sampling.rule';
import { gateSurveys } from './survey-gate';
import { surveyPolicyConfigSchema } from './survey-policy';
import { DAY, HOUR, ledger, MIN, NOW, survey, testPolicy } from './test-fixtures';

const policy = testPolicy();
const only = (l: ReturnType<typeof ledger>) => {
  const v = gateSurveys(l, policy, NOW);
  expect(v).toHaveLength(1);
  return v[0]!;
};

describe('survey gate', () => {
  it('approves a lone survey on the interaction’s own channel', () => {
    const v = only(ledger({ surveys: [survey({ touchpoint: 'sms' })] }));
    expect(v).toMatchObject({ outcome: 'approved', channels: ['sms'] });
    expect(v.reasons[0]!.code).toBe('interaction_channel');
  });

  it('decides only held surveys', () => {
    expect(
      gateSurveys(ledger({ surveys: [survey({ status: 'suppressed' })] }), policy, NOW),
    ).toEqual([]);
  });

  describe('known-survey-type', () => {
    it('drops a survey type the policy does not name, naming the known ones', () => {
      const v = only(ledger({ surveys: [survey({ surveyType: 'exit-interview' })] }));
      expect(v).toMatchObject({ outcome: 'suppressed', code: 'unknown_survey_type' });
      expect(v.reasons[0]!.text).toContain('post-service, post-call, nps');
    });
  });

  describe('survey-expiry', () => {
    it('drops a survey whose moment has passed', () => {
      const v = only(ledger({ surveys: [survey({ expiresAt: new Date(NOW.getTime() - 1) })] }));
      expect(v).toMatchObject({ outcome: 'suppressed', code: 'expired' });
    });
  });

  describe('sampling', () => {
    it('gives the same customer and survey type the same answer every time', () => {
      expect(samplePoint('c-1', 'nps')).toBe(samplePoint('c-1', 'nps'));
      expect(samplePoint('c-1', 'nps')).not.toBe(samplePoint('c-1', 'post-call'));
    });

    it('asks about the configured share of customers', () => {
      const inSample = Array.from({ length: 10_000 }, (_, i) => samplePoint(`c-${i}`, 'nps') < 0.5);
      const share = inSample.filter(Boolean).length / inSample.length;
      expect(share).toBeGreaterThan(0.47);
      expect(share).toBeLessThan(0.53);
    });

    it('drops a survey for a customer outside the sample, and keeps one inside it', () => {
      const ids = Array.from({ length: 50 }, (_, i) => `c-${i}`);
      const outside = ids.find((c) => samplePoint(c, 'nps') >= 0.5)!;
      const inside = ids.find((c) => samplePoint(c, 'nps') < 0.5)!;
      const out = only(ledger({ customerId: outside, surveys: [survey({ surveyType: 'nps' })] }));
      expect(out).toMatchObject({ outcome: 'suppressed', code: 'not_sampled' });
      const ok = only(ledger({ customerId: inside, surveys: [survey({ surveyType: 'nps' })] }));
      expect(ok.outcome).toBe('approved');
    });
  });

  describe('one-per-interaction', () => {
    it('drops a second survey about an interaction already surveyed', () => {
      const done = survey({
        interactionId: 'call-7',
        status: 'approved',
        decidedAt: new Date(NOW.getTime() - 200 * DAY),
      });
      const v = gateSurveys(
        ledger({ surveys: [done, survey({ interactionId: 'call-7', surveyType: 'nps' })] }),
        testPolicy(onlyTypes()),
        NOW,
      );
      expect(v).toEqual([
        expect.objectContaining({ outcome: 'suppressed', code: 'interaction_already_surveyed' }),
      ]);
    });
  });

  describe('survey-window', () => {
    it('drops a survey inside the window of the last one', () => {
      const last = survey({ status: 'approved', decidedAt: new Date(NOW.getTime() - 30 * DAY) });
      const v = gateSurveys(ledger({ surveys: [last, survey()] }), policy, NOW);
      expect(v).toEqual([
        expect.objectContaining({ outcome: 'suppressed', code: 'survey_window' }),
      ]);
      expect(v[0]!.reasons[0]!.text).toMatch(/one survey per 90 days/);
    });

    it('allows one after the window, or when the last never reached the customer', () => {
      const old = survey({ status: 'approved', decidedAt: new Date(NOW.getTime() - 91 * DAY) });
      expect(gateSurveys(ledger({ surveys: [old, survey()] }), policy, NOW)[0]!.outcome).toBe(
        'approved',
      );
      const dropped = survey({
        status: 'approved',
        decidedAt: new Date(NOW.getTime() - DAY),
        droppedDownstream: true,
      });
      expect(gateSurveys(ledger({ surveys: [dropped, survey()] }), policy, NOW)[0]!.outcome).toBe(
        'approved',
      );
    });
  });

  describe('open-case', () => {
    it('drops a survey while a blocking case is open', () => {
      const v = only(
        ledger({ surveys: [survey()], openCases: [{ caseId: 'k-1', kind: 'complaint' }] }),
      );
      expect(v).toMatchObject({ outcome: 'suppressed', code: 'case_open' });
      expect(v.reasons[0]!.text).toContain('complaint');
    });

    it('ignores case kinds the policy does not block on', () => {
      const lenient = testPolicy({ blockingCases: ['collections'] });
      const v = gateSurveys(
        ledger({ surveys: [survey()], openCases: [{ caseId: 'k-1', kind: 'service' }] }),
        lenient,
        NOW,
      );
      expect(v[0]!.outcome).toBe('approved');
    });
  });

  describe('survey-priority', () => {
    it('picks the survey first in the policy and drops the others, naming the winner', () => {
      const call = survey({
        surveyType: 'post-call',
        receivedAt: new Date(NOW.getTime() - 5 * MIN),
      });
      const service = survey({ surveyType: 'post-service' });
      const v = gateSurveys(ledger({ surveys: [call, service] }), policy, NOW);
      expect(v.find((x) => x.key === service.key)!.outcome).toBe('approved');
      const lost = v.find((x) => x.key === call.key)!;
      expect(lost).toMatchObject({ outcome: 'suppressed', code: 'lower_priority' });
      expect(lost.reasons[0]!.text).toContain('post-service was chosen');
    });

    it('keeps the earlier of two requests for the same survey', () => {
      const first = survey({ receivedAt: new Date(NOW.getTime() - 9 * MIN) });
      const second = survey({ receivedAt: new Date(NOW.getTime() - 3 * MIN) });
      const v = gateSurveys(ledger({ surveys: [second, first] }), policy, NOW);
      expect(v.find((x) => x.key === first.key)!.outcome).toBe('approved');
      expect(v.find((x) => x.key === second.key)!.outcome).toBe('suppressed');
    });
  });

  describe('settle', () => {
    it('holds a fresh request until competing ones had time to arrive', () => {
      const fresh = survey({ receivedAt: new Date(NOW.getTime() - 10_000) });
      const v = only(ledger({ surveys: [fresh] }));
      expect(v).toMatchObject({ outcome: 'held', code: 'settling' });
      expect((v as { until: Date }).until.getTime()).toBe(fresh.receivedAt.getTime() + MIN);
    });
  });

  describe('pending-contact', () => {
    it('holds the survey while another message is about to go out', () => {
      const v = only(
        ledger({
          surveys: [survey()],
          contacts: [
            {
              decisionId: 'd-1',
              state: 'pending',
              at: NOW,
              decidedAt: new Date(NOW.getTime() - HOUR),
            },
          ],
        }),
      );
      expect(v).toMatchObject({ outcome: 'held', code: 'contact_pending' });
      expect((v as { until: Date }).until.getTime()).toBe(NOW.getTime() - HOUR + 2 * DAY);
    });

    it('stops waiting for a message that never went out within the longest hold', () => {
      const v = only(
        ledger({
          surveys: [survey()],
          contacts: [
            {
              decisionId: 'd-1',
              state: 'pending',
              at: NOW,
              decidedAt: new Date(NOW.getTime() - 3 * DAY),
            },
          ],
        }),
      );
      expect(v.outcome).toBe('approved');
    });
  });

  describe('after-contact', () => {
    it('holds the survey until a day after the last message reached the customer', () => {
      const sentAt = new Date(NOW.getTime() - 3 * HOUR);
      const v = only(
        ledger({
          surveys: [survey()],
          contacts: [{ decisionId: 'd-1', state: 'sent', at: sentAt, decidedAt: sentAt }],
        }),
      );
      expect(v).toMatchObject({ outcome: 'held', code: 'contacted_today' });
      expect((v as { until: Date }).until.getTime()).toBe(sentAt.getTime() + DAY);
    });

    it('does not hold for a contact more than a day ago', () => {
      const sentAt = new Date(NOW.getTime() - 25 * HOUR);
      const v = only(
        ledger({
          surveys: [survey()],
          contacts: [{ decisionId: 'd-1', state: 'sent', at: sentAt, decidedAt: sentAt }],
        }),
      );
      expect(v.outcome).toBe('approved');
    });
  });

  describe('survey-channel', () => {
    it('uses the preferred channel when the interaction’s cannot carry a survey', () => {
      const v = only(ledger({ surveys: [survey({ touchpoint: 'voice' })] }));
      expect(v.outcome).toBe('approved');
      expect(v).not.toHaveProperty('channels');
      expect(v.reasons[0]!.code).toBe('preferred_channel');
    });

    it('uses the app for an in-app interaction', () => {
      expect(only(ledger({ surveys: [survey({ touchpoint: 'app' })] }))).toMatchObject({
        channels: ['in_app'],
      });
    });

    it('keeps to the channels the asking department allowed', () => {
      const v = only(ledger({ surveys: [survey({ touchpoint: 'sms', channels: ['email'] })] }));
      expect(v).toMatchObject({ channels: ['email'] });
      expect(v.reasons[0]!.code).toBe('preferred_channel');
    });
  });
});

describe('survey policy file', () => {
  it('names the key at fault', () => {
    const bad = surveyPolicyConfigSchema.safeParse({
      version: 'x',
      priority: ['post-call', 'nps'],
      surveys: { 'post-call': { sample: 2, topic: 't', actionUrl: 'https://s.example' } },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['surveys.post-call.sample', 'priority.1']));
  });
});

function onlyTypes() {
  return {
    priority: ['post-call', 'nps'],
    surveys: {
      'post-call': { sample: 1, topic: 'your call', actionUrl: 'https://s.example/pc' },
      nps: { sample: 1, topic: 'us', actionUrl: 'https://s.example/nps' },
    },
  };
}
