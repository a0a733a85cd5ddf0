import { baseEnvSchema, intentCataloguePath, loadEnv, servicePort } from '@onevoice/runtime';
import { z } from 'zod';

export const dispatcherEnvSchema = baseEnvSchema.extend({
  PORT: servicePort(3004),
  OV_INTENT_CATALOGUE: intentCataloguePath,
});
export type DispatcherEnv = z.infer<typeof dispatcherEnvSchema>;
export const loadDispatcherEnv = (env: NodeJS.ProcessEnv = process.env): DispatcherEnv =>
  loadEnv(dispatcherEnvSchema, env);
