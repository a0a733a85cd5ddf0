import { shippedPolicy as policy } from '../test-fixtures';
import { calledOffByFulfilment, type PendingRequest } from './fulfilment';
import { displaced, inPriorityOrder } from './priority-arbitration';
import { planReminder } from './reminder-planning';
import { supersededBy } from './supersession';

const DAY = 86_400_000;
const sentAt = new Date('2026-11-23T09:00:00Z');

describe('planReminder (rule 9, as planned)', () => {
  const base = {
    sentAt,
    decisionId: 'd-1',
    reminders: { max: 2, afterMs: 3 * DAY },
    expiresAt: new Date(sentAt.getTime() + 14 * DAY),
  };

  it('plans the first reminder of a message that went out, after the intent’s delay', () => {
    expect(planReminder(base)).toEqual({
      of: 'd-1',
      number: 1,
      maxReminders: 2,
      due: new Date(sentAt.getTime() + 3 * DAY),
    });
  });

  it('a reminder that went out plans the next, following up the first message', () => {
    expect(
      planReminder({ ...base, decisionId: 'r-1', reminder: { of: 'd-1', number: 1 } }),
    ).toMatchObject({
      of: 'd-1',
      number: 2,
    });
  });

  it('plans nothing past the intent’s number of reminders, without reminders, or after expiry', () => {
    expect(planReminder({ ...base, reminder: { of: 'd-1', number: 2 } })).toBeUndefined();
    expect(planReminder({ ...base, reminders: { max: 0, afterMs: DAY } })).toBeUndefined();
    const { reminders: _none, ...without } = base;
    expect(planReminder(without)).toBeUndefined();
    expect(
      planReminder({ ...base, expiresAt: new Date(sentAt.getTime() + 3 * DAY) }),
    ).toBeUndefined();
    expect(
      planReminder({ ...base, expiresAt: new Date(sentAt.getTime() + 3 * DAY + 1) }),
    ).toMatchObject({
      number: 1,
    });
  });
});

describe('calledOffByFulfilment (rule 8, as applied)', () => {
  const r = (intentKey: string, status: PendingRequest['status'], goneOut = false) => ({
    intentKey,
    status,
    goneOut,
  });

  it('calls off what of the intent has not gone out: pending, held, approved for later', () => {
    const requests = [
      r('bill:1', 'pending'),
      r('bill:1', 'deferred'),
      r('bill:1', 'approved'),
      r('bill:1', 'approved', true),
      r('bill:1', 'merged'),
      r('bill:1', 'suppressed'),
      r('bill:2', 'deferred'),
    ];
    const { calledOff, reason } = calledOffByFulfilment(requests, 'bill:1');
    expect(calledOff).toEqual([requests[0], requests[1], requests[2]]);
    expect(reason).toEqual({
      rule: 'fulfilment',
      code: 'fulfilled',
      text: 'Called off: "bill:1" is done.',
    });
  });

  it('a department that fulfils only its own intents calls off only its own requests', () => {
    const billing = { ...r('bill:1', 'deferred'), source: 'billing' };
    const collections = { ...r('bill:1', 'deferred'), source: 'collections' };
    expect(calledOffByFulfilment([billing, collections], 'bill:1', 'billing').calledOff).toEqual([
      billing,
    ]);
    expect(calledOffByFulfilment([billing, collections], 'bill:1').calledOff).toEqual([
      billing,
      collections,
    ]);
  });
});

describe('priority arbitration, as applied', () => {
  it('orders the most urgent first, then by the policy’s categories, otherwise as given', () => {
    const items = [
      { id: 'promo', urgency: 'low', category: 'promotion' },
      { id: 'service', urgency: 'normal', category: 'service' },
      { id: 'bill', urgency: 'high', category: 'billing' },
      { id: 'usage', urgency: 'high', category: 'usage' },
      { id: 'service-2', urgency: 'normal', category: 'service' },
    ];
    expect(inPriorityOrder(policy, items, (i) => i).map((i) => i.id)).toEqual([
      'usage',
      'bill',
      'service',
      'service-2',
      'promo',
    ]);
  });

  it('moves a displaced message back by the policy’s delay, saying why', () => {
    const now = new Date('2026-11-23T09:00:00Z');
    const { until, reason } = displaced({ ...policy, redecideDisplacedAfterMs: 300_000 }, now);
    expect(until.toISOString()).toBe('2026-11-23T09:05:00.000Z');
    expect(reason).toMatchObject({ rule: 'priority-arbitration', code: 'displaced' });
  });

  it('takes back a superseded update, naming the intent', () => {
    expect(supersededBy('outage:7')).toEqual({
      rule: 'supersession',
      code: 'superseded',
      text: 'Replaced by a newer update of "outage:7".',
    });
  });
});
