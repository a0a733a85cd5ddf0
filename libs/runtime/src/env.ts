import { DEFAULT_KAFKA_CONCURRENCY } from '@onevoice/messaging';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Variables every OneVoice service reads (docs/design.md §11 gives the defaults). */
export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .url({ error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/onevoice'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((v) =>
      v
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker is host:port')).min(1)),
  OV_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  /** Connections one instance keeps to Postgres. */
  OV_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /**
   * No statement runs (or waits for a lock) longer than this, in ms; 0: no limit. One cut short
   * fails with 57014, which the consumers retry as transient.
   */
  OV_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** A transaction left idle this long (a handler stuck mid-way) is ended by Postgres; 0: never. */
  OV_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(60_000),
  /** Waiting longer than this for a connection (the pool's or the server's) fails, as transient. */
  OV_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** The consumer group; by default <OV_CONSUMER_GROUP_PREFIX>-<service>. Another group is another, independent copy. */
  OV_CONSUMER_GROUP: z.string().min(1).optional(),
  /** Prefix of every service's consumer group: a separate stack on a shared broker takes its own. */
  OV_CONSUMER_GROUP_PREFIX: z.string().min(1).default('onevoice'),
  /** Where a new consumer group starts: the beginning of each topic (nothing is missed) or its end. */
  OV_CONSUMER_START: z.enum(['earliest', 'latest']).default('earliest'),
  /** How many partitions' batches one instance handles at once (each in its own transaction). */
  OV_KAFKA_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(DEFAULT_KAFKA_CONCURRENCY),
  /** How long the group waits for a silent instance (a crashed one) before giving its partitions away. */
  OV_KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /**
   * A fetch answers once this many bytes are ready or `OV_KAFKA_FETCH_MAX_WAIT_MS` has passed:
   * 1 answers at once (least latency, most fetches); more makes fuller batches under steady load.
   */
  OV_KAFKA_FETCH_MIN_BYTES: z.coerce.number().int().min(1).max(52_428_800).default(1),
  OV_KAFKA_FETCH_MAX_WAIT_MS: z.coerce.number().int().min(1).max(10_000).default(250),
  /** The service's clock: the machine's, or (tests only, refused in production) one a test moves. */
  OV_CLOCK: z.enum(['system', 'manual']).default('system'),
  /** Where a manual clock starts (ISO 8601); the machine's time when not given. */
  OV_CLOCK_START: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time' })
    .optional(),
  /** Or: how far ahead of the machine's time a manual clock starts (negative: behind). */
  OV_CLOCK_OFFSET_MS: z.coerce.number().int().optional(),
});
export type BaseEnv = z.infer<typeof baseEnvSchema>;

/** How a service's connections to Postgres are bounded, from its environment. */
export function databasePool(env: BaseEnv) {
  return {
    size: env.OV_DB_POOL_SIZE,
    statementTimeoutMs: env.OV_DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: env.OV_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectTimeoutMs: env.OV_DB_CONNECT_TIMEOUT_MS,
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the environment at start-up. A bad value stops the service with a message naming
 * every variable at fault, rather than failing later somewhere less obvious.
 */
export function loadEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/** The HTTP port of a service, defaulting to its port in docs/design.md §11. */
export const servicePort = (defaultPort: number) =>
  z.coerce.number().int().min(1).max(65535).default(defaultPort);

/** Where the intent catalogue is; relative paths are from the working directory. */
export const intentCataloguePath = z.string().default('config/intent-catalogue.yaml');

/** Where the department permissions are (who may publish what); relative paths as above. */
export const permissionsPath = z.string().default('config/permissions.yaml');

/**
 * A secret with a development default that production refuses: returns the value to use, or
 * reports the variable when production runs without it (the configuration is then refused). A
 * default given as a function is made only when it is used.
 */
export function secretOrDevDefault(
  env: { NODE_ENV: string } & Record<string, unknown>,
  ctx: z.RefinementCtx,
  name: string,
  devDefault: string | (() => string),
): string {
  const value = env[name];
  if (typeof value === 'string' && value.length > 0) return value;
  if (env.NODE_ENV === 'production') {
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `is required in production: the development default is refused there`,
    });
    return '';
  }
  return typeof devDefault === 'function' ? devDefault() : devDefault;
}

/**
 * The key that signs the links in messages (preference centre, one-click unsubscribe): the
 * dispatcher signs with it, the behaviour profiler checks, so both need the same one
 * (`OV_SIGNING_KEY`, docs/design.md §11; `OV_LINK_SECRET`, its earlier name, is still read).
 */
export const signingKeyEnv = {
  OV_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  OV_LINK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Where a development signing key is kept when none is given. */
  OV_DATA_DIR: z.string().min(1).optional(),
};

/**
 * The signing key to use (see `signingKeyEnv`). Production requires one. Elsewhere, without one,
 * it is the development key of the data folder (`OV_DATA_DIR`, `.local` by default: `npm start`
 * runs every service from the repository, so they share it), made at random the first time — a
 * key nobody else knows, kept across restarts so that links already sent keep working.
 */
export function signingKey(
  env: {
    NODE_ENV: string;
    OV_SIGNING_KEY?: string;
    OV_LINK_SECRET?: string;
    OV_DATA_DIR?: string;
  },
  ctx: z.RefinementCtx,
): string {
  return secretOrDevDefault(
    { NODE_ENV: env.NODE_ENV, OV_SIGNING_KEY: env.OV_SIGNING_KEY ?? env.OV_LINK_SECRET },
    ctx,
    'OV_SIGNING_KEY',
    () => devSigningKey(env.OV_DATA_DIR ?? '.local'),
  );
}

/** The data folder's development signing key, made on first use (safe when two services race). */
function devSigningKey(dataDir: string): string {
  const file = join(dataDir, 'signing-key');
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}
