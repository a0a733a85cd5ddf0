import { baseEnvSchema, loadEnv } from '@onevoice/runtime';
import { z } from 'zod';

export const envSchema = baseEnvSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3005),
});
export type SurveyThrottlerEnv = z.infer<typeof envSchema>;
export const loadSurveyThrottlerEnv = (env: NodeJS.ProcessEnv = process.env): SurveyThrottlerEnv =>
  loadEnv(envSchema, env);
