import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { credentialRefused, readBearer, secretDigest, secretMatches } from './bearer';

/** Who a staff request comes from: the agent named by their credential. */
export interface StaffMember {
  agent: string;
  /** How they proved it: one of the configured tokens, or an OIDC bearer token. */
  via: 'token' | 'oidc';
}

/** An OpenID Connect issuer whose bearer tokens name staff members. */
export interface StaffOidc {
  issuer: string;
  audience: string;
  /** Where the issuer's signing keys are (its JWKS). */
  jwksUrl: string;
  /** The claim that names the agent (`preferred_username`, else `sub`, by default). */
  agentClaim?: string;
}

/**
 * The staff credential (docs/design.md §11): what reads a customer's timeline, profile and
 * preferences, and changes preferences on their behalf — per agent, so that every change names
 * who made it. Either a token per agent (`OV_STAFF_TOKENS=agent:token,…`), or a bearer token from
 * the company's OpenID Connect issuer verified against its JWKS (`OV_STAFF_OIDC_*`), or both.
 */
export class StaffCredential {
  private readonly tokens: [Buffer, string][];
  private readonly keys?: JWTVerifyGetKey;

  constructor(
    tokens: Readonly<Record<string, string>>,
    private readonly oidc?: StaffOidc,
    keys?: JWTVerifyGetKey,
  ) {
    this.tokens = Object.entries(tokens).map(([token, agent]) => [secretDigest(token), agent]);
    if (oidc) this.keys = keys ?? createRemoteJWKSet(new URL(oidc.jwksUrl));
  }

  /** The staff member presenting `authorization`; 401 naming the header when there is none. */
  async authenticate(authorization: string | undefined): Promise<StaffMember> {
    const token = readBearer(authorization);
    if (token === undefined) {
      throw credentialRefused(
        'missing_credential',
        'send your staff credential as "Authorization: Bearer <token>"',
      );
    }
    // Every configured token is compared, in constant time each, whichever matches.
    let agent: string | undefined;
    for (const [digest, name] of this.tokens) if (secretMatches(digest, token)) agent = name;
    if (agent !== undefined) return { agent, via: 'token' };
    if (this.oidc && this.keys && token.split('.').length === 3) {
      const member = await this.verifyOidc(token, this.oidc, this.keys);
      if (member) return member;
    }
    throw credentialRefused('invalid_credential', 'the bearer token is not a staff credential');
  }

  private async verifyOidc(
    token: string,
    oidc: StaffOidc,
    keys: JWTVerifyGetKey,
  ): Promise<StaffMember | undefined> {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: oidc.issuer,
        audience: oidc.audience,
      });
      const claim = oidc.agentClaim
        ? payload[oidc.agentClaim]
        : (payload.preferred_username ?? payload.sub);
      return typeof claim === 'string' && claim.length > 0
        ? { agent: claim, via: 'oidc' }
        : undefined;
    } catch {
      return undefined; // expired, wrong issuer or audience, bad signature: not a credential
    }
  }
}

const agentName = /^[A-Za-z0-9._@-]{1,100}$/;

/**
 * The staff credentials' settings, for a service's env schema: `OV_STAFF_TOKENS`
 * (`agent:token,…`), the older `OV_OPS_TOKEN` (one token, the agent "ops"), and the OIDC issuer.
 */
export const staffCredentialEnv = {
  OV_STAFF_TOKENS: z
    .string()
    .transform((raw, ctx) => {
      const tokens: Record<string, string> = {};
      for (const pair of raw
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const at = pair.indexOf(':');
        const agent = pair.slice(0, at).trim();
        const token = pair.slice(at + 1).trim();
        if (at < 1 || !agentName.test(agent) || token.length < 8) {
          ctx.addIssue({
            code: 'custom',
            message: `"${agent || pair}" is not agent:token (an agent name of letters, digits and ._@-; a token of 8+ characters)`,
          });
          return z.NEVER;
        }
        tokens[token] = agent;
      }
      return tokens;
    })
    .optional(),
  /** The staff credential before agents had names: one token, recorded as the agent "ops". */
  OV_OPS_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  OV_STAFF_OIDC_ISSUER: z.url().optional(),
  OV_STAFF_OIDC_AUDIENCE: z.string().min(1).optional(),
  /** Default: the issuer's `/.well-known/jwks.json`. */
  OV_STAFF_OIDC_JWKS_URL: z.url().optional(),
  OV_STAFF_OIDC_AGENT_CLAIM: z.string().min(1).optional(),
};

/**
 * The staff credentials a service's env names: tokens per agent and the OIDC issuer; in
 * development without either, the dev token `dev-ops` (agent "ops"). Production refuses to start
 * without a real credential.
 */
export function staffCredentialsOf(
  env: { NODE_ENV: string } & {
    [K in keyof typeof staffCredentialEnv]?: z.infer<(typeof staffCredentialEnv)[K]>;
  },
  ctx: z.RefinementCtx,
): { tokens: Record<string, string>; oidc?: StaffOidc } {
  const tokens: Record<string, string> = { ...env.OV_STAFF_TOKENS };
  if (env.OV_OPS_TOKEN) tokens[env.OV_OPS_TOKEN] = 'ops';
  let oidc: StaffOidc | undefined;
  if (env.OV_STAFF_OIDC_ISSUER) {
    if (!env.OV_STAFF_OIDC_AUDIENCE)
      ctx.addIssue({
        code: 'custom',
        path: ['OV_STAFF_OIDC_AUDIENCE'],
        message: 'is required with OV_STAFF_OIDC_ISSUER: the audience OneVoice’s tokens carry',
      });
    oidc = {
      issuer: env.OV_STAFF_OIDC_ISSUER,
      audience: env.OV_STAFF_OIDC_AUDIENCE ?? '',
      jwksUrl:
        env.OV_STAFF_OIDC_JWKS_URL ??
        `${env.OV_STAFF_OIDC_ISSUER.replace(/\/$/, '')}/.well-known/jwks.json`,
      ...(env.OV_STAFF_OIDC_AGENT_CLAIM ? { agentClaim: env.OV_STAFF_OIDC_AGENT_CLAIM } : {}),
    };
  }
  if (Object.keys(tokens).length === 0 && !oidc) {
    if (env.NODE_ENV === 'production')
      ctx.addIssue({
        code: 'custom',
        path: ['OV_STAFF_TOKENS'],
        message:
          'is required in production (or OV_STAFF_OIDC_ISSUER): the development token dev-ops is refused there',
      });
    tokens['dev-ops'] = 'ops';
  }
  return { tokens, ...(oidc ? { oidc } : {}) };
}
