import { Topics } from '@onevoice/contracts';
import { judge, type DeadLetter, type Envelope, type RunRecords } from './checker';
import type { Input } from './load';

const input = (id: string, type = 'billing.payment_due', extra: Partial<Input> = {}): Input => ({
  id,
  source: 'billing',
  type,
  subject: `c-${id}`,
  via: 'kafka',
  ...extra,
});
const decision = (requestId: string, outcome: string, decisionId = `d-${requestId}`): Envelope => ({
  id: decisionId,
  data: { decisionId, requestId, outcome, mergedRequestIds: [] },
});
const delivery = (deliveryId: string, decisionId: string, state: string): Envelope => ({
  data: { deliveryId, decisionId, state },
});
const dead = (key: string, sourceTopic: string, id?: string): DeadLetter => ({
  key,
  reason: 'bad',
  sourceTopic,
  consumer: 'g',
  ...(id ? { id } : {}),
});
const records = (over: Partial<RunRecords>): RunRecords => ({
  decisions: [],
  deliveries: [],
  interactions: [],
  preferences: [],
  deadLetters: [],
  ...over,
});

/** The chaos checker must be able to fail: each invariant, broken on purpose, is counted. */
describe('the chaos checker', () => {
  it('passes a run where every input has one outcome and one message', () => {
    const v = judge(
      records({
        decisions: [decision('a', 'approved'), decision('b', 'suppressed')],
        deliveries: [delivery('x', 'd-a', 'scheduled'), delivery('x', 'd-a', 'sent')],
        interactions: [{ id: 'p' }],
      }),
      [input('a'), input('b'), input('p', 'interaction.payment')],
      [{ idempotencyKey: 'x', outcome: 'accepted' }],
    );
    expect(v).toMatchObject({
      lostInputs: 0,
      duplicateSends: 0,
      duplicateMessagesPerIntent: 0,
      validInputsDeadLettered: 0,
      approvedWithoutDelivery: 0,
      outcomes: { approved: 1, suppressed: 1, recorded: 1 },
    });
  });

  it('counts an input with no outcome, and an approval with no delivery, as lost', () => {
    const v = judge(
      records({ decisions: [decision('a', 'approved')] }),
      [input('a'), input('b')],
      [],
    );
    expect(v.lostInputs).toBe(1);
    expect(v.approvedWithoutDelivery).toBe(1);
    expect(v.examples.lostInputs?.[0]).toMatch(/^b billing.payment_due/);
  });

  it('does not count an approval the dispatchers had not reached when the run ended', () => {
    const v = judge(
      records({ decisions: [decision('a', 'approved')], notYetCarriedOut: new Set(['d-a']) }),
      [input('a')],
      [],
    );
    expect(v).toMatchObject({ lostInputs: 0, approvedWithoutDelivery: 0, approvedOnTheirWay: 1 });
  });

  it('counts a delivery the provider took twice, and an intent sent on two channels', () => {
    const v = judge(
      records({
        decisions: [decision('a', 'approved')],
        deliveries: [delivery('sms-1', 'd-a', 'uncertain'), delivery('email-1', 'd-a', 'sent')],
      }),
      [input('a')],
      [
        { idempotencyKey: 'sms-1', outcome: 'accepted' },
        { idempotencyKey: 'sms-1', outcome: 'duplicate' },
        { idempotencyKey: 'sms-1', outcome: 'refused' },
      ],
    );
    expect(v.duplicateSends).toBe(1);
    // The text the provider took, and the email it "fell back" to.
    expect(v.duplicateMessagesPerIntent).toBe(1);
  });

  it('counts a valid input dead-lettered, anything OneVoice wrote dead-lettered, and a bad one that was not', () => {
    const v = judge(
      records({
        decisions: [decision('a', 'approved')],
        deliveries: [delivery('x', 'd-a', 'sent')],
        deadLetters: [dead('c-a', Topics.events, 'a'), dead('c-z', Topics.decisions, 'z')],
      }),
      [input('a'), input('bad', 'billing.payment_due', { invalid: 'unknown type' })],
      [],
      new Set(),
      [{ key: 'fuzz-1', kind: 'UTF-16 JSON' }],
    );
    expect(v.validInputsDeadLettered).toBe(2);
    expect(v.invalidNotDeadLettered).toBe(1);
    expect(v.hostileNotDeadLettered).toBe(1);
  });

  it('takes a merge, a survey the gate still holds and a 4xx over HTTP as outcomes', () => {
    const merged: Envelope = {
      data: { decisionId: 'd-1', requestId: 'a', outcome: 'approved', mergedRequestIds: ['b'] },
    };
    const v = judge(
      records({ decisions: [merged], deliveries: [delivery('x', 'd-1', 'sent')] }),
      [
        input('a'),
        input('b'),
        input('s', 'survey.requested'),
        input('h', 'billing.payment_due', { via: 'http', status: 403 }),
      ],
      [],
      new Set(['s']),
    );
    expect(v.lostInputs).toBe(0);
    expect(v.outcomes).toEqual({
      approved: 1,
      merged: 1,
      'held by the survey gate': 1,
      'refused 403': 1,
    });
    expect(v.inputs.refusedOverHttp).toEqual({ '403': 1 });
  });
});
