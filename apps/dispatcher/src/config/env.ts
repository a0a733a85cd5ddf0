import { baseEnvSchema, intentCataloguePath, loadEnv, servicePort } from '@onevoice/runtime';
import { z } from 'zod';

export const dispatcherEnvSchema = baseEnvSchema.extend({
  PORT: servicePort(3004),
  OV_INTENT_CATALOGUE: intentCataloguePath,
  /** How often scheduled deliveries are looked at to see whether their window has opened. */
  OV_DISPATCH_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
});
export type DispatcherEnv = z.infer<typeof dispatcherEnvSchema>;
export const loadDispatcherEnv = (env: NodeJS.ProcessEnv = process.env): DispatcherEnv =>
  loadEnv(dispatcherEnvSchema, env);
