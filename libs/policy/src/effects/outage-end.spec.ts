import { calledOffByOutageEnd, type OutageRequest } from './outage-end';

const request = (over: Partial<OutageRequest>): OutageRequest => ({
  category: 'outage',
  intentType: 'network.outage',
  status: 'approved',
  goneOut: false,
  ...over,
});

describe('the end of an outage (rule 12 after the fact)', () => {
  const waiting = request({});
  const held = request({ status: 'deferred' });
  const sent = request({ goneOut: true });
  const allClear = request({ intentType: 'network.outage_resolved' });
  const bill = request({ category: 'billing', intentType: 'billing.payment_due' });

  it('calls off outage messages still waiting, not what went out, the all-clear or others', () => {
    const { calledOff, reason } = calledOffByOutageEnd([waiting, held, sent, allClear, bill], []);
    expect(calledOff).toEqual([waiting, held]);
    expect(reason).toMatchObject({ rule: 'targeting', code: 'not_affected' });
  });

  it('calls off nothing while another outage still affects the customer', () => {
    expect(calledOffByOutageEnd([waiting, held], ['outage']).calledOff).toEqual([]);
    expect(calledOffByOutageEnd([waiting], ['collections']).calledOff).toEqual([waiting]);
  });
});
