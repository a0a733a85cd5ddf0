import { baseEnvSchema, databasePool, loadEnv } from './env';

describe('the bounds on a service’s Postgres connections', () => {
  it('has defaults: 10 connections, 30 s a statement, 60 s idle in a transaction, 10 s to connect', () => {
    expect(databasePool(loadEnv(baseEnvSchema, {}))).toEqual({
      size: 10,
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
      connectTimeoutMs: 10_000,
    });
  });

  it('takes them from the environment, and names a bad one', () => {
    expect(
      databasePool(
        loadEnv(baseEnvSchema, { OV_DB_POOL_SIZE: '40', OV_DB_STATEMENT_TIMEOUT_MS: '0' }),
      ),
    ).toMatchObject({ size: 40, statementTimeoutMs: 0 });
    expect(() => loadEnv(baseEnvSchema, { OV_DB_POOL_SIZE: '0' })).toThrow(/OV_DB_POOL_SIZE/);
  });
});
