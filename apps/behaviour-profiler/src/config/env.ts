import {
  baseEnvSchema,
  intentCataloguePath,
  loadEnv,
  secretOrDevDefault,
  servicePort,
} from '@onevoice/runtime';
import { z } from 'zod';

export const envSchema = baseEnvSchema
  .extend({
    PORT: servicePort(3002),
    OV_INTENT_CATALOGUE: intentCataloguePath,
    OV_PROFILER_CONFIG: z.string().default('config/profiler.yaml'),
    /** The staff credential for profiles and preferences; the dev token `dev-ops` is refused in production. */
    OV_OPS_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    /** Signs the preference-centre and unsubscribe links (the dispatcher needs the same secret). */
    OV_LINK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  .transform((env, ctx) => ({
    ...env,
    opsToken: secretOrDevDefault(env, ctx, 'OV_OPS_TOKEN', 'dev-ops'),
    linkSecret: secretOrDevDefault(
      env,
      ctx,
      'OV_LINK_SECRET',
      'dev-link-secret-not-for-production',
    ),
  }));
export type BehaviourProfilerEnv = z.infer<typeof envSchema>;
export const loadBehaviourProfilerEnv = (
  env: NodeJS.ProcessEnv = process.env,
): BehaviourProfilerEnv => loadEnv(envSchema, env);
