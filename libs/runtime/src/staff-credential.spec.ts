import { HttpException } from '@nestjs/common';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';
import { baseEnvSchema } from './env';
import { StaffCredential, staffCredentialEnv, staffCredentialsOf } from './staff-credential';

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return {
      status: (err as HttpException).getStatus(),
      body: (err as HttpException).getResponse(),
    };
  }
  throw new Error('accepted');
};

describe('the staff credential names the agent', () => {
  it('a token per agent: each names its agent; a wrong or missing one is a 401 naming the header', async () => {
    const staff = new StaffCredential({ 'token-of-ana-1': 'ana', 'token-of-bo-22': 'bo' });
    await expect(staff.authenticate('Bearer token-of-ana-1')).resolves.toEqual({
      agent: 'ana',
      via: 'token',
    });
    await expect(staff.authenticate('Bearer token-of-bo-22')).resolves.toMatchObject({
      agent: 'bo',
    });
    expect(await refusal(staff.authenticate('Bearer nobody-at-all'))).toEqual({
      status: 401,
      body: expect.objectContaining({ error: 'invalid_credential', field: 'Authorization' }),
    });
    expect(await refusal(staff.authenticate(undefined))).toMatchObject({
      status: 401,
      body: { error: 'missing_credential' },
    });
  });

  describe('an OIDC bearer token, verified against the issuer’s keys', () => {
    const issuer = 'https://login.example.test/';
    const audience = 'onevoice';
    let staff: StaffCredential;
    let sign: (
      claims: Record<string, unknown>,
      over?: { exp?: string | Date; aud?: string },
    ) => Promise<string>;

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
      staff = new StaffCredential(
        {},
        { issuer, audience, jwksUrl: 'https://login.example.test/jwks' },
        createLocalJWKSet({ keys: [jwk] }),
      );
      sign = (claims, over = {}) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setIssuer(issuer)
          .setAudience(over.aud ?? audience)
          .setIssuedAt()
          .setExpirationTime(over.exp ?? '5m')
          .sign(privateKey);
    });

    it('names the agent from preferred_username, else sub', async () => {
      await expect(
        staff.authenticate(`Bearer ${await sign({ sub: 'u-1', preferred_username: 'carla' })}`),
      ).resolves.toEqual({ agent: 'carla', via: 'oidc' });
      await expect(staff.authenticate(`Bearer ${await sign({ sub: 'u-2' })}`)).resolves.toEqual({
        agent: 'u-2',
        via: 'oidc',
      });
    });

    it('refuses another audience, an expired token and one signed by another key', async () => {
      expect(
        await refusal(staff.authenticate(`Bearer ${await sign({ sub: 'x' }, { aud: 'other' })}`)),
      ).toMatchObject({ status: 401 });
      expect(
        await refusal(
          staff.authenticate(
            `Bearer ${await sign({ sub: 'x' }, { exp: new Date('2020-01-01T00:00:00Z') })}`,
          ),
        ),
      ).toMatchObject({ status: 401 });
      const { privateKey: stranger } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ sub: 'x' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setExpirationTime('5m')
        .sign(stranger);
      expect(await refusal(staff.authenticate(`Bearer ${forged}`))).toMatchObject({ status: 401 });
    });
  });
});

describe('staff credentials from the environment', () => {
  const schema = baseEnvSchema
    .extend(staffCredentialEnv)
    .transform((env, ctx) => staffCredentialsOf(env, ctx));
  const load = (env: Record<string, string>) => schema.safeParse(env);

  it('tokens per agent, the older single token as "ops", and dev-ops only in development', () => {
    expect(load({ OV_STAFF_TOKENS: 'ana:token-of-ana-1, bo:token-of-bo-22' }).data).toEqual({
      tokens: { 'token-of-ana-1': 'ana', 'token-of-bo-22': 'bo' },
    });
    expect(load({ OV_OPS_TOKEN: 'the-old-token' }).data).toEqual({
      tokens: { 'the-old-token': 'ops' },
    });
    expect(load({}).data).toEqual({ tokens: { 'dev-ops': 'ops' } });
    const production = load({ NODE_ENV: 'production' });
    expect(production.success).toBe(false);
    expect(z.prettifyError(production.error!)).toContain('OV_STAFF_TOKENS');
  });

  it('names a malformed pair, and needs an audience with an issuer', () => {
    const bad = load({ OV_STAFF_TOKENS: 'ana:short' });
    expect(bad.success).toBe(false);
    expect(z.prettifyError(bad.error!)).toContain('"ana" is not agent:token');
    expect(load({ OV_STAFF_OIDC_ISSUER: 'https://login.example.test' }).success).toBe(false);
    expect(
      load({
        NODE_ENV: 'production',
        OV_STAFF_OIDC_ISSUER: 'https://login.example.test/',
        OV_STAFF_OIDC_AUDIENCE: 'onevoice',
      }).data,
    ).toEqual({
      tokens: {},
      oidc: {
        issuer: 'https://login.example.test/',
        audience: 'onevoice',
        jwksUrl: 'https://login.example.test/.well-known/jwks.json',
      },
    });
  });
});
