import { randomUUID } from 'node:crypto';
import { createTestDatabase } from './infrastructure';
import type { TestStack } from './stack';
import { startGroupAtEnd } from './topic-tap';

/**
 * The environment for a service instance of a spec's own: its own database and consumer group,
 * the group starting at the end of `topic` with an offset on every partition (as a running group
 * has), so the stack's shared instance does not take its work, and earlier traffic is not its
 * business. `drop` removes the database afterwards.
 */
export async function isolatedServiceEnv(
  stack: TestStack,
  label: string,
  topic: string,
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string>; databaseUrl: string; drop(): Promise<void> }> {
  const db = await createTestDatabase(new URL(stack.databaseUrl).toString());
  const group = `onevoice-${label}-${randomUUID().slice(0, 8)}`;
  await startGroupAtEnd(stack.brokers, group, topic);
  return {
    env: { ...stack.serviceEnv, DATABASE_URL: db.url, OV_CONSUMER_GROUP: group, ...extra },
    databaseUrl: db.url,
    drop: db.drop,
  };
}
