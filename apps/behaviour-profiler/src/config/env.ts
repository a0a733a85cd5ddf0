import {
  baseEnvSchema,
  intentCataloguePath,
  loadEnv,
  secretOrDevDefault,
  servicePort,
  signingKey,
  signingKeyEnv,
} from '@onevoice/runtime';
import { z } from 'zod';

export const envSchema = baseEnvSchema
  .extend({
    PORT: servicePort(3002),
    OV_INTENT_CATALOGUE: intentCataloguePath,
    OV_PROFILER_CONFIG: z.string().default('config/profiler.yaml'),
    /** The staff credential for profiles and preferences; the dev token `dev-ops` is refused in production. */
    OV_OPS_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    /** Signs the preference-centre and unsubscribe links in messages. */
    ...signingKeyEnv,
  })
  .transform((env, ctx) => ({
    ...env,
    opsToken: secretOrDevDefault(env, ctx, 'OV_OPS_TOKEN', 'dev-ops'),
    linkSecret: signingKey(env, ctx),
  }));
export type BehaviourProfilerEnv = z.infer<typeof envSchema>;
export const loadBehaviourProfilerEnv = (
  env: NodeJS.ProcessEnv = process.env,
): BehaviourProfilerEnv => loadEnv(envSchema, env);
