import { Client } from 'pg';
import type { TestStack } from './stack';

/**
 * A customer's deliveries as the dispatcher's table holds them, oldest first: what a spec reads
 * to show something was (or was not) recorded in the transaction it has seen the result of.
 */
export async function dispatcherDeliveries(
  stack: Pick<TestStack, 'databaseUrl'>,
  customerId: string,
): Promise<{ channel: string; state: string }[]> {
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ channel: string; state: string }>(
      'SELECT channel, state FROM dispatcher.deliveries WHERE customer_id = $1 ORDER BY created_at',
      [customerId],
    );
    return rows;
  } finally {
    await db.end();
  }
}
