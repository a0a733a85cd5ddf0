import { baseEnvSchema, loadEnv } from '@onevoice/runtime';
import { z } from 'zod';

export const envSchema = baseEnvSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3002),
});
export type BehaviourProfilerEnv = z.infer<typeof envSchema>;
export const loadBehaviourProfilerEnv = (
  env: NodeJS.ProcessEnv = process.env,
): BehaviourProfilerEnv => loadEnv(envSchema, env);
