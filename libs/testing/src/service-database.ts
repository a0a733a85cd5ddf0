import { openServiceDatabase, type ServiceDatabaseOptions } from '@onevoice/persistence';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from './infrastructure';
import type { TestStack } from './stack';

/**
 * A service's schema in a database of the spec's own, brought up by the service's migrations:
 * for specs of a repository against the real Postgres. `close` closes it and drops the database.
 */
export async function serviceDatabaseForSpec(
  stack: TestStack,
  options: Pick<ServiceDatabaseOptions, 'schema' | 'migrations'>,
): Promise<{ ds: DataSource; close(): Promise<void> }> {
  const database = await createTestDatabase(stack.databaseUrl);
  const ds = await openServiceDatabase({ url: database.url, ...options });
  return {
    ds,
    close: async () => {
      await ds.destroy();
      await database.drop();
    },
  };
}
