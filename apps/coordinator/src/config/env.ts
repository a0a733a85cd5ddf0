import {
  baseEnvSchema,
  intentCataloguePath,
  permissionsPath,
  loadEnv,
  secretOrDevDefault,
  servicePort,
} from '@onevoice/runtime';
import { z } from 'zod';

export const coordinatorEnvSchema = baseEnvSchema
  .extend({
    PORT: servicePort(3003),
    OV_INTENT_CATALOGUE: intentCataloguePath,
    OV_PERMISSIONS: permissionsPath,
    OV_POLICY: z.string().default('config/policy.yaml'),
    /** The staff credential for the timeline; the dev token `dev-ops` is refused in production. */
    OV_OPS_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    /** How often held requests are looked at to see whether they are due. */
    OV_SCHEDULER_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
    /**
     * Customers whose ledgers an instance keeps in memory between batches (see LedgerCache); 0
     * reads every batch's customers from the database. Measured ~11 KB of heap per customer with
     * 15 requests in its history: the default bounds it near 55 MB.
     */
    OV_LEDGER_CACHE_CUSTOMERS: z.coerce.number().int().min(0).max(10_000_000).default(5_000),
  })
  .transform((env, ctx) => ({
    ...env,
    opsToken: secretOrDevDefault(env, ctx, 'OV_OPS_TOKEN', 'dev-ops'),
  }));
export type CoordinatorEnv = z.infer<typeof coordinatorEnvSchema>;
export const loadCoordinatorEnv = (env: NodeJS.ProcessEnv = process.env): CoordinatorEnv =>
  loadEnv(coordinatorEnvSchema, env);
