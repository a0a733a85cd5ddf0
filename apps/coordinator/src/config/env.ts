import { baseEnvSchema, loadEnv } from '@onevoice/runtime';
import { z } from 'zod';

export const coordinatorEnvSchema = baseEnvSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3003),
  OV_INTENT_CATALOGUE: z.string().default('config/intent-catalogue.yaml'),
});
export type CoordinatorEnv = z.infer<typeof coordinatorEnvSchema>;
export const loadCoordinatorEnv = (env: NodeJS.ProcessEnv = process.env): CoordinatorEnv =>
  loadEnv(coordinatorEnvSchema, env);
