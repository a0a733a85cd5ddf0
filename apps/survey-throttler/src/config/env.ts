import { baseEnvSchema, loadEnv, servicePort } from '@onevoice/runtime';
import { z } from 'zod';

export const envSchema = baseEnvSchema.extend({
  PORT: servicePort(3005),
});
export type SurveyThrottlerEnv = z.infer<typeof envSchema>;
export const loadSurveyThrottlerEnv = (env: NodeJS.ProcessEnv = process.env): SurveyThrottlerEnv =>
  loadEnv(envSchema, env);
