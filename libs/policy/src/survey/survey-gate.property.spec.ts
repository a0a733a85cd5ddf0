import fc from 'fast-check';
import { TOUCHPOINTS, type CaseKind } from '@onevoice/contracts';
import type { Contact, SurveyRecord } from './model';
import { gateSurveys } from './survey-gate';
import { DAY, HOUR, MIN, NOW, testPolicy } from './test-fixtures';

const policy = testPolicy();
const SURVEY_TYPES = ['post-service', 'post-call', 'nps', 'unknown-type'];

type Step =
  | {
      kind: 'survey';
      surveyType: string;
      interaction: number;
      touchpoint: (typeof TOUCHPOINTS)[number];
    }
  | { kind: 'case-open'; case: number; caseKind: CaseKind }
  | { kind: 'case-close'; case: number }
  | { kind: 'contact-pending' }
  | { kind: 'contact-sent' }
  | { kind: 'coordinator-drops-last-survey' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('survey' as const),
    surveyType: fc.constantFrom(...SURVEY_TYPES),
    interaction: fc.integer({ min: 0, max: 5 }),
    touchpoint: fc.constantFrom(...TOUCHPOINTS),
  }),
  fc.record({
    kind: fc.constant('case-open' as const),
    case: fc.integer({ min: 0, max: 2 }),
    caseKind: fc.constantFrom<CaseKind>('complaint', 'collections', 'outage', 'service'),
  }),
  fc.record({ kind: fc.constant('case-close' as const), case: fc.integer({ min: 0, max: 2 }) }),
  fc.constant({ kind: 'contact-pending' as const }),
  fc.constant({ kind: 'contact-sent' as const }),
  fc.constant({ kind: 'coordinator-drops-last-survey' as const }),
);

/** Gaps between steps: seconds to weeks, so settle, holds, the day and the window all pass. */
const gap = fc.constantFrom(5_000, MIN, 10 * MIN, HOUR, 6 * HOUR, DAY, 3 * DAY, 30 * DAY, 95 * DAY);

describe('survey gate, property-based', () => {
  it('never two surveys in the window, none during an open case, one verdict that sticks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(step, gap), { minLength: 1, maxLength: 60 }),
        fc.string({ minLength: 1, maxLength: 8 }),
        (steps, customerId) => {
          let now = NOW.getTime();
          let n = 0;
          const surveys: SurveyRecord[] = [];
          const cases = new Map<number, CaseKind>();
          const contacts: Contact[] = [];
          const approvals: { at: number; key: string; casesOpen: number }[] = [];
          const terminal = new Map<string, string>();

          const runGate = () => {
            const openCases = [...cases].map(([id, kind]) => ({ caseId: `k${id}`, kind }));
            for (const v of gateSurveys(
              { customerId, surveys, openCases, contacts },
              policy,
              new Date(now),
            )) {
              const s = surveys.find((x) => x.key === v.key)!;
              expect(s.status).toBe('held'); // a decided survey is never decided again
              if (v.outcome === 'held') {
                expect(v.until.getTime()).toBeGreaterThan(now - 1);
                continue;
              }
              if (v.outcome === 'approved') {
                expect((v.channels ?? []).length).toBeLessThanOrEqual(
                  1 + (s.channels?.length ?? 0),
                );
                approvals.push({ at: now, key: s.key, casesOpen: openCases.length });
              }
              s.status = v.outcome;
              s.decidedAt = new Date(now);
              expect(terminal.has(s.key)).toBe(false);
              terminal.set(s.key, v.outcome);
            }
          };

          for (const [st, dt] of steps) {
            switch (st.kind) {
              case 'survey':
                surveys.push({
                  key: `k-${n++}`,
                  surveyType: st.surveyType,
                  interactionId: `i-${st.interaction}`,
                  touchpoint: st.touchpoint,
                  receivedAt: new Date(now),
                  expiresAt: new Date(now + policy.lifetimeMs),
                  status: 'held',
                });
                break;
              case 'case-open':
                cases.set(st.case, st.caseKind);
                break;
              case 'case-close':
                cases.delete(st.case);
                break;
              case 'contact-pending':
                contacts.push({
                  decisionId: `d-${n++}`,
                  state: 'pending',
                  at: new Date(now),
                  decidedAt: new Date(now),
                });
                break;
              case 'contact-sent': {
                const pending = contacts.find((c) => c.state === 'pending');
                if (pending) Object.assign(pending, { state: 'sent', at: new Date(now) });
                break;
              }
              case 'coordinator-drops-last-survey': {
                const last = approvals[approvals.length - 1];
                if (last) surveys.find((s) => s.key === last.key)!.droppedDownstream = true;
                break;
              }
            }
            runGate();
            now += dt;
            runGate();
          }

          // Never two surveys that reached the customer inside one window.
          const reached = approvals.filter(
            (a) => !surveys.find((s) => s.key === a.key)!.droppedDownstream,
          );
          for (let i = 1; i < reached.length; i++)
            expect(reached[i]!.at - reached[i - 1]!.at).toBeGreaterThanOrEqual(policy.windowMs);
          // Never one while a case was open (every case kind blocks in this policy).
          for (const a of approvals) expect(a.casesOpen).toBe(0);
          // Never two for one interaction.
          const interactions = approvals.map(
            (a) => surveys.find((s) => s.key === a.key)!.interactionId,
          );
          expect(new Set(interactions).size).toBe(interactions.length);
          // Never a type the policy does not know, never one outside the sample.
          for (const a of approvals) {
            const s = surveys.find((x) => x.key === a.key)!;
            expect(Object.keys(policy.types)).toContain(s.surveyType);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
