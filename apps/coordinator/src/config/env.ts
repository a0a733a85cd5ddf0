import {
  baseEnvSchema,
  intentCataloguePath,
  permissionsPath,
  loadEnv,
  secretOrDevDefault,
  servicePort,
  staffCredentialEnv,
  staffCredentialsOf,
} from '@onevoice/runtime';
import { durationSchema, timeZoneSchema } from '@onevoice/contracts';
import { z } from 'zod';

export const coordinatorEnvSchema = baseEnvSchema
  .extend({
    PORT: servicePort(3003),
    OV_INTENT_CATALOGUE: intentCataloguePath,
    OV_PERMISSIONS: permissionsPath,
    OV_POLICY: z.string().default('config/policy.yaml'),
    /** What-if replays (POST /v1/simulations) run the profiler's and the survey gate's steps too. */
    OV_PROFILER_CONFIG: z.string().default('config/profiler.yaml'),
    OV_SURVEY_POLICY: z.string().default('config/survey-policy.yaml'),
    /** Staff credentials (per agent, or OIDC): see `staffCredentialEnv`. */
    ...staffCredentialEnv,
    /** How often held requests are looked at to see whether they are due. */
    OV_SCHEDULER_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
    /**
     * Customers whose ledgers an instance keeps in memory between batches (see LedgerCache); 0
     * reads every batch's customers from the database. Measured ~11 KB of heap per customer with
     * 15 requests in its history: the default bounds it near 55 MB.
     */
    OV_LEDGER_CACHE_CUSTOMERS: z.coerce.number().int().min(0).max(10_000_000).default(5_000),
    /**
     * How long decisions keep the personal part of what they carried (the message's variables,
     * action link, merged content) and settled requests their variables; then the timeline keeps
     * what was decided and why.
     */
    OV_DECISION_RETENTION: durationSchema.default('P90D'),
    /** How often what is past its retention is pruned. */
    OV_RETENTION_PASS_MS: z.coerce.number().int().min(100).max(86_400_000).default(600_000),
    /**
     * The zone of the market OneVoice serves first: times for a customer whose zone is not known
     * are shown and kept in it. Required in production (no silent UTC); UTC in development.
     */
    OV_DEFAULT_TIME_ZONE: timeZoneSchema.optional(),
    /**
     * Every market's zone, comma-separated (`America/New_York,America/Los_Angeles`): voice and
     * SMS to a customer whose zone is not known keep the quiet hours of all. Default: the default
     * zone alone.
     */
    OV_MARKET_TIME_ZONES: z
      .string()
      .transform((raw) =>
        raw
          .split(',')
          .map((z) => z.trim())
          .filter(Boolean),
      )
      .pipe(z.array(timeZoneSchema).min(1, 'name at least one time zone'))
      .optional(),
  })
  .transform((env, ctx) => {
    const defaultZone = secretOrDevDefault(env, ctx, 'OV_DEFAULT_TIME_ZONE', 'UTC');
    return {
      ...env,
      staff: staffCredentialsOf(env, ctx),
      timeZones: {
        default: defaultZone,
        markets: [...new Set([defaultZone, ...(env.OV_MARKET_TIME_ZONES ?? [])])],
      },
    };
  });
export type CoordinatorEnv = z.infer<typeof coordinatorEnvSchema>;
export const loadCoordinatorEnv = (env: NodeJS.ProcessEnv = process.env): CoordinatorEnv =>
  loadEnv(coordinatorEnvSchema, env);
