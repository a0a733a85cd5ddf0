import { providerReport } from './provider-report';

describe('a provider’s report of a message', () => {
  it.each(['sending', 'sent', 'uncertain'])('moves a delivery on from %s', (state) => {
    for (const reported of ['delivered', 'failed', 'bounced'] as const)
      expect(providerReport({ state, attempts: 1 }, reported)).toEqual({ apply: true });
  });

  it('moves on one scheduled for another attempt (the provider had the last one)', () => {
    expect(providerReport({ state: 'scheduled', attempts: 1 }, 'delivered')).toEqual({
      apply: true,
    });
  });

  it.each([
    'delivered',
    'failed',
    'bounced',
    'expired',
    'cancelled',
    'opened',
    'clicked',
    'replied',
  ])('never moves back one that is %s', (state) => {
    expect(providerReport({ state, attempts: 1 }, 'failed')).toEqual({
      apply: false,
      why: `already ${state}: a report of "failed" never moves a delivery back`,
    });
  });

  it('has nothing to say of a delivery never handed to a provider', () => {
    expect(providerReport({ state: 'scheduled', attempts: 0 }, 'bounced')).toEqual({
      apply: false,
      why: 'not handed to a provider yet: nothing to report "bounced" on',
    });
  });
});
