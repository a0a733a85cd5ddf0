import {
  baseEnvSchema,
  intentCataloguePath,
  loadEnv,
  servicePort,
  staffCredentialEnv,
  staffCredentialsOf,
  signingKey,
  signingKeyEnv,
} from '@onevoice/runtime';
import { z } from 'zod';

export const envSchema = baseEnvSchema
  .extend({
    PORT: servicePort(3002),
    OV_INTENT_CATALOGUE: intentCataloguePath,
    OV_PROFILER_CONFIG: z.string().default('config/profiler.yaml'),
    /** Staff credentials (per agent, or OIDC): see `staffCredentialEnv`. */
    ...staffCredentialEnv,
    /** Signs the preference-centre and unsubscribe links in messages. */
    ...signingKeyEnv,
  })
  .transform((env, ctx) => ({
    ...env,
    staff: staffCredentialsOf(env, ctx),
    linkSecret: signingKey(env, ctx),
  }));
export type BehaviourProfilerEnv = z.infer<typeof envSchema>;
export const loadBehaviourProfilerEnv = (
  env: NodeJS.ProcessEnv = process.env,
): BehaviourProfilerEnv => loadEnv(envSchema, env);
