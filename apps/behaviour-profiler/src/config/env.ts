import { baseEnvSchema, loadEnv, servicePort } from '@onevoice/runtime';
import { z } from 'zod';

export const envSchema = baseEnvSchema.extend({
  PORT: servicePort(3002),
});
export type BehaviourProfilerEnv = z.infer<typeof envSchema>;
export const loadBehaviourProfilerEnv = (
  env: NodeJS.ProcessEnv = process.env,
): BehaviourProfilerEnv => loadEnv(envSchema, env);
