import { loadDispatcherEnv } from './env';

describe('dispatcher configuration', () => {
  it('defaults to port 3004, a 5 s provider timeout and a 60 s lease', () => {
    const env = loadDispatcherEnv({});
    expect(env.PORT).toBe(3004);
    expect(env.OV_PROVIDER_TIMEOUT_MS).toBe(5_000);
    expect(env.OV_SEND_LEASE_MS).toBe(60_000);
  });

  it('refuses a lease shorter than twice the provider timeout, naming it', () => {
    expect(() =>
      loadDispatcherEnv({ OV_PROVIDER_TIMEOUT_MS: '20000', OV_SEND_LEASE_MS: '30000' }),
    ).toThrow(/OV_SEND_LEASE_MS: must be at least twice OV_PROVIDER_TIMEOUT_MS \(20000\)/);
  });

  it('trusts no provider to dedupe by key unless told, and names a channel it does not know', () => {
    expect(loadDispatcherEnv({}).OV_PROVIDER_IDEMPOTENT).toEqual([]);
    expect(
      loadDispatcherEnv({ OV_PROVIDER_IDEMPOTENT: 'sms, push' }).OV_PROVIDER_IDEMPOTENT,
    ).toEqual(['sms', 'push']);
    expect(() => loadDispatcherEnv({ OV_PROVIDER_IDEMPOTENT: 'sms,fax' })).toThrow(
      /OV_PROVIDER_IDEMPOTENT/,
    );
  });

  it('refuses the development secrets in production, naming the variable', () => {
    expect(() => loadDispatcherEnv({ NODE_ENV: 'production' })).toThrow(/OV_SIGNING_KEY/);
  });

  it('signs links with OV_SIGNING_KEY (see libs/runtime), refusing a short one', () => {
    const key = 'a-signing-key-of-32-characters!!';
    expect(loadDispatcherEnv({ OV_SIGNING_KEY: key }).linkSecret).toBe(key);
    expect(() => loadDispatcherEnv({ OV_SIGNING_KEY: 'short' })).toThrow(
      /OV_SIGNING_KEY: must be at least 16 characters/,
    );
  });
});
