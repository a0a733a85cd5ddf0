import { loadIngestEnv } from './env';

describe('ingest configuration', () => {
  it('defaults to docs/design.md §11: port 3001, local Kafka and Postgres, dev tokens', () => {
    const env = loadIngestEnv({});
    expect(env.PORT).toBe(3001);
    expect(env.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/onevoice');
    expect(env.OV_PARTITIONS).toBe(6);
    expect(env.departmentTokens['dev-billing']).toBe('billing');
    expect(env.departmentTokens['dev-digital']).toBe('digital');
  });

  it('replaces the dev tokens with OV_DEPARTMENT_TOKENS', () => {
    const env = loadIngestEnv({ OV_DEPARTMENT_TOKENS: 'billing:s3cret-billing, care:s3cret-care' });
    expect(env.departmentTokens).toEqual({ 's3cret-billing': 'billing', 's3cret-care': 'care' });
  });

  it('refuses to start in production with the dev tokens, naming the variable', () => {
    expect(() => loadIngestEnv({ NODE_ENV: 'production' })).toThrow(
      /OV_DEPARTMENT_TOKENS: is required in production/,
    );
  });

  it.each([
    [{ OV_DEPARTMENT_TOKENS: 'accounting:longenough' }, /OV_DEPARTMENT_TOKENS/],
    [{ KAFKA_BROKERS: 'localhost' }, /KAFKA_BROKERS/],
    [{ PORT: 'eighty' }, /PORT/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL/],
  ])('names the variable at fault (%j)', (env, message) => {
    expect(() => loadIngestEnv(env)).toThrow(message);
  });
});
