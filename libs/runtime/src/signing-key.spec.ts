import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { signingKey, signingKeyEnv } from './env';

/** The signing key a service with these variables would use. */
function keyFor(vars: Record<string, string>): string {
  return z
    .object({ NODE_ENV: z.string().default('development'), ...signingKeyEnv })
    .transform((env, ctx) => signingKey(env, ctx))
    .parse(vars);
}

describe('the signing key for links', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'ov-data-'));

  it('is OV_SIGNING_KEY, or OV_LINK_SECRET (its earlier name), when given', () => {
    const key = 'a-signing-key-of-32-characters!!';
    expect(keyFor({ OV_SIGNING_KEY: key })).toBe(key);
    expect(keyFor({ OV_LINK_SECRET: key })).toBe(key);
  });

  it('is required in production, naming the variable', () => {
    expect(() => keyFor({ NODE_ENV: 'production' })).toThrow(/OV_SIGNING_KEY/);
  });

  it('is otherwise made at random once per data folder and kept there, readable by its owner only', () => {
    const dir = dataDir();
    const first = keyFor({ OV_DATA_DIR: dir });
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    // Every service of that folder (and a restart) signs and checks with the same key.
    expect(keyFor({ OV_DATA_DIR: dir })).toBe(first);
    expect(readFileSync(join(dir, 'signing-key'), 'utf8')).toBe(first);
    expect(statSync(join(dir, 'signing-key')).mode & 0o777).toBe(0o600);
    // Another folder, another key: nobody knows it in advance.
    expect(keyFor({ OV_DATA_DIR: dataDir() })).not.toBe(first);
  });
});
