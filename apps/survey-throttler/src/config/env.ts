import { baseEnvSchema, intentCataloguePath, loadEnv, servicePort } from '@onevoice/runtime';
import { z } from 'zod';

export const envSchema = baseEnvSchema.extend({
  PORT: servicePort(3005),
  OV_INTENT_CATALOGUE: intentCataloguePath,
  OV_SURVEY_POLICY: z.string().default('config/survey-policy.yaml'),
  /** How often held surveys are looked at to see whether they are due. */
  OV_SURVEY_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
});
export type SurveyThrottlerEnv = z.infer<typeof envSchema>;
export const loadSurveyThrottlerEnv = (env: NodeJS.ProcessEnv = process.env): SurveyThrottlerEnv =>
  loadEnv(envSchema, env);
