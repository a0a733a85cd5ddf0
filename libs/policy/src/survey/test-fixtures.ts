import type { SurveyLedger, SurveyRecord } from './model';
import { compileSurveyPolicy, surveyPolicyConfigSchema, type SurveyPolicy } from './survey-policy';

export const NOW = new Date('2026-11-23T12:00:00Z');
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export function testPolicy(overrides: Record<string, unknown> = {}): SurveyPolicy {
  return compileSurveyPolicy(
    surveyPolicyConfigSchema.parse({
      version: 'test-1',
      settle: 'PT1M',
      priority: ['post-service', 'post-call', 'nps'],
      surveys: {
        'post-service': {
          sample: 1,
          topic: 'your service visit',
          actionUrl: 'https://s.example/ps',
        },
        'post-call': { sample: 1, topic: 'your call', actionUrl: 'https://s.example/pc' },
        nps: { sample: 0.5, topic: 'us', actionUrl: 'https://s.example/nps' },
      },
      ...overrides,
    }),
  );
}

let seq = 0;
export function survey(over: Partial<SurveyRecord> = {}): SurveyRecord {
  seq++;
  return {
    key: `surveys/s-${seq}`,
    surveyType: 'post-call',
    interactionId: `call-${seq}`,
    touchpoint: 'sms',
    receivedAt: new Date(NOW.getTime() - 2 * MIN),
    expiresAt: new Date(NOW.getTime() + 7 * DAY),
    status: 'held',
    ...over,
  };
}

export function ledger(over: Partial<SurveyLedger> = {}): SurveyLedger {
  return { customerId: 'cust-1', surveys: [], openCases: [], contacts: [], ...over };
}
