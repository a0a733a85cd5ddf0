import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './env';

/**
 * Reads a versioned YAML or JSON config file and validates it. An invalid file stops the service
 * with a message naming the file and each key at fault (`intents.billing.payment_due.urgency`).
 */
export function loadConfigFile<S extends z.ZodType>(path: string, schema: S): z.infer<S> {
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${full}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${full} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`invalid config file ${full}:\n${lines.join('\n')}`);
}
