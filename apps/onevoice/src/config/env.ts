import { baseEnvSchema, loadEnv, servicePort } from '@onevoice/runtime';
import { z } from 'zod';

/**
 * What the embedded host reads itself; each service reads the rest of the environment as it does
 * when it runs alone (docs/configuration.md). `DATABASE_URL` and `KAFKA_BROKERS` are not read:
 * the host serves its own database and log.
 */
export const embeddedEnvSchema = baseEnvSchema.extend({
  PORT: servicePort(3000),
  /** Where the database, the log and the development keys live. */
  OV_DATA_DIR: z.string().min(1).default('.local'),
  /**
   * Where customers and providers reach this OneVoice (the links in messages, the provider's
   * callbacks); by default http://127.0.0.1:<PORT>.
   */
  OV_PUBLIC_URL: z.url({ error: 'must be an absolute URL' }).optional(),
  /** The port the embedded database is served on, to its own services and to `psql`; 0: any free port. */
  OV_EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /**
   * Every this many ms, log where the embedded database's one session spent its time (per
   * service, and the costliest statements); 0: never.
   */
  OV_EMBEDDED_DB_USAGE_MS: z.coerce.number().int().min(0).default(0),
});
export type EmbeddedEnv = z.infer<typeof embeddedEnvSchema>;
export const loadEmbeddedEnv = (env: NodeJS.ProcessEnv = process.env): EmbeddedEnv =>
  loadEnv(embeddedEnvSchema, env);
