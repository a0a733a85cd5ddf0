import { baseEnvSchema, loadEnv } from '@onevoice/runtime';
import { z } from 'zod';

export const dispatcherEnvSchema = baseEnvSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3004),
  OV_INTENT_CATALOGUE: z.string().default('config/intent-catalogue.yaml'),
});
export type DispatcherEnv = z.infer<typeof dispatcherEnvSchema>;
export const loadDispatcherEnv = (env: NodeJS.ProcessEnv = process.env): DispatcherEnv =>
  loadEnv(dispatcherEnvSchema, env);
