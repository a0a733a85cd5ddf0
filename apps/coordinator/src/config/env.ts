import { baseEnvSchema, intentCataloguePath, loadEnv, servicePort } from '@onevoice/runtime';
import { z } from 'zod';

export const coordinatorEnvSchema = baseEnvSchema.extend({
  PORT: servicePort(3003),
  OV_INTENT_CATALOGUE: intentCataloguePath,
});
export type CoordinatorEnv = z.infer<typeof coordinatorEnvSchema>;
export const loadCoordinatorEnv = (env: NodeJS.ProcessEnv = process.env): CoordinatorEnv =>
  loadEnv(coordinatorEnvSchema, env);
