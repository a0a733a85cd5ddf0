import { customerLinks, signToken, verifyToken } from './signed-token';

const secret = 'test-secret-0123456789';
const now = new Date('2026-11-23T12:00:00Z');
const claims = {
  purpose: 'unsubscribe' as const,
  customerId: 'cust-1',
  category: 'promotion',
  expiresAt: now.getTime() + 60_000,
};
const expect1 = { purpose: 'unsubscribe' as const, customerId: 'cust-1' };

describe('signed link tokens', () => {
  it('accepts its own token, with the claims it carries', () => {
    const check = verifyToken(secret, signToken(secret, claims), expect1, now);
    expect(check).toEqual({ ok: true, claims });
  });

  it('refuses a token signed with another secret (forged)', () => {
    expect(verifyToken(secret, signToken('another-secret', claims), expect1, now)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('refuses a token whose claims were edited', () => {
    const [, sig] = signToken(secret, claims).split('.');
    const edited = Buffer.from(
      JSON.stringify({ p: 'unsubscribe', c: 'cust-2', e: claims.expiresAt }),
    ).toString('base64url');
    expect(
      verifyToken(secret, `${edited}.${sig}`, { ...expect1, customerId: 'cust-2' }, now),
    ).toMatchObject({
      ok: false,
      reason: 'forged',
    });
  });

  it('refuses an expired token, another customer’s token, another purpose and garbage', () => {
    const token = signToken(secret, claims);
    expect(verifyToken(secret, token, expect1, new Date(claims.expiresAt))).toMatchObject({
      reason: 'expired',
    });
    expect(verifyToken(secret, token, { ...expect1, customerId: 'cust-2' }, now)).toMatchObject({
      reason: 'other_customer',
    });
    expect(verifyToken(secret, token, { ...expect1, purpose: 'preferences' }, now)).toMatchObject({
      reason: 'wrong_purpose',
    });
    for (const junk of [undefined, '', 'abc', 'a.b.c', '%%%.%%%'])
      expect(verifyToken(secret, junk, expect1, now).ok).toBe(false);
  });

  it('builds the links a message carries, each verifiable for its customer', () => {
    const links = customerLinks(
      { secret, baseUrl: 'https://onevoice.example/', lifetimeMs: 86_400_000 },
      'c 1',
      'billing',
      now,
    );
    expect(links.preferences).toMatch(/^https:\/\/onevoice\.example\/preferences\/c%201\?t=/);
    const t = new URL(links.unsubscribe).searchParams.get('t')!;
    expect(
      verifyToken(secret, t, { purpose: 'unsubscribe', customerId: 'c 1' }, now),
    ).toMatchObject({
      ok: true,
      claims: { category: 'billing' },
    });
  });
});
