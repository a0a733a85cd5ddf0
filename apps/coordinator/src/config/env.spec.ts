import { ConfigError } from '@onevoice/runtime';
import { loadCoordinatorEnv } from './env';

describe('the coordinator’s time zones', () => {
  it('UTC in development; the default zone and the markets as given, the default among them', () => {
    expect(loadCoordinatorEnv({}).timeZones).toEqual({ default: 'UTC', markets: ['UTC'] });
    expect(
      loadCoordinatorEnv({
        OV_DEFAULT_TIME_ZONE: 'America/New_York',
        OV_MARKET_TIME_ZONES: 'America/Los_Angeles, America/Chicago',
      }).timeZones,
    ).toEqual({
      default: 'America/New_York',
      markets: ['America/New_York', 'America/Los_Angeles', 'America/Chicago'],
    });
  });

  it('refuses to start in production without a default zone, and names a zone that is not one', () => {
    const production = { NODE_ENV: 'production', OV_STAFF_TOKENS: 'ana:a-long-staff-token' };
    expect(() => loadCoordinatorEnv(production)).toThrow(ConfigError);
    expect(() => loadCoordinatorEnv(production)).toThrow(/OV_DEFAULT_TIME_ZONE/);
    expect(
      loadCoordinatorEnv({ ...production, OV_DEFAULT_TIME_ZONE: 'Europe/Berlin' }).timeZones
        .default,
    ).toBe('Europe/Berlin');
    expect(() => loadCoordinatorEnv({ OV_MARKET_TIME_ZONES: 'Mars/Olympus' })).toThrow(
      /OV_MARKET_TIME_ZONES/,
    );
  });
});
