import { DEPARTMENTS, type Department } from '@onevoice/contracts';
import {
  baseEnvSchema,
  intentCataloguePath,
  loadEnv,
  permissionsPath,
  servicePort,
} from '@onevoice/runtime';
import { z } from 'zod';

const DEV_TOKENS = Object.fromEntries(DEPARTMENTS.map((d) => [`dev-${d}`, d])) as Record<
  string,
  Department
>;

export const ingestEnvSchema = baseEnvSchema
  .extend({
    PORT: servicePort(3001),
    OV_INTENT_CATALOGUE: intentCataloguePath,
    OV_PERMISSIONS: permissionsPath,
    /**
     * How long `POST /v1/events` waits for Kafka to acknowledge before answering 503 (the broker
     * away: the producer would otherwise retry for about a minute with the caller waiting).
     */
    OV_HTTP_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /**
     * Whether action URLs may be `http:` (a test system's links); otherwise only `https:`. Never
     * `javascript:`, `data:` or any other scheme.
     */
    OV_ALLOW_HTTP_ACTION_URLS: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((v) => v === 'true'),
    /** `department:token,…`; replaces the dev tokens. */
    OV_DEPARTMENT_TOKENS: z
      .string()
      .transform((raw, ctx) => {
        const tokens: Record<string, Department> = {};
        for (const pair of raw
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)) {
          const [dept, token] = pair.split(':', 2).map((s) => s.trim());
          const department = DEPARTMENTS.find((d) => d === dept);
          if (!department || !token || token.length < 8) {
            ctx.addIssue({
              code: 'custom',
              message: `"${pair}" is not department:token (departments: ${DEPARTMENTS.join(', ')}; tokens of 8+ characters)`,
            });
            return z.NEVER;
          }
          tokens[token] = department;
        }
        return tokens;
      })
      .optional(),
  })
  .transform((env, ctx) => {
    if (!env.OV_DEPARTMENT_TOKENS && env.NODE_ENV === 'production') {
      ctx.addIssue({
        code: 'custom',
        path: ['OV_DEPARTMENT_TOKENS'],
        message: 'is required in production: the dev-<department> tokens are refused there',
      });
      return z.NEVER;
    }
    return { ...env, departmentTokens: env.OV_DEPARTMENT_TOKENS ?? DEV_TOKENS };
  });

export type IngestEnv = z.infer<typeof ingestEnvSchema>;
export const loadIngestEnv = (env: NodeJS.ProcessEnv = process.env): IngestEnv =>
  loadEnv(ingestEnvSchema, env);
