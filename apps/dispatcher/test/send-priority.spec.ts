import { serviceDatabaseForSpec, testStack } from '@onevoice/testing';
import type { DataSource } from 'typeorm';
import { DeliveriesRepository, type NewDelivery } from '../src/deliveries/deliveries.repository';
import { DISPATCHER_MIGRATIONS } from '../src/migrations';

/**
 * The schedule in Postgres sends the most urgent deliveries first, then the oldest: an outage
 * notice does not wait behind a backlog of promotions.
 */
describe('the send queue', () => {
  const stack = testStack();
  let ds: DataSource;
  let close: () => Promise<void>;
  const repo = new DeliveriesRepository();

  beforeAll(async () => {
    ({ ds, close } = await serviceDatabaseForSpec(stack, {
      schema: 'dispatcher',
      migrations: DISPATCHER_MIGRATIONS,
    }));
  });
  afterAll(() => close());

  const delivery = (id: string, priority: number, minutesAgo: number): NewDelivery => ({
    deliveryId: id,
    decisionId: `decision-${id}`,
    requestId: `request-${id}`,
    intentType: priority === 0 ? 'network.outage' : 'loyalty.offer',
    intentKey: `key-${id}`,
    customerId: `customer-${id}`,
    channel: 'sms',
    provider: 'capture',
    subject: id,
    body: id,
    sendAfter: new Date(Date.now() - minutesAgo * 60_000),
    priority,
  });

  it('claims the most urgent due deliveries first, then the oldest', async () => {
    await repo.recordMany(ds.manager, [
      delivery('promo-1', 3, 30),
      delivery('promo-2', 3, 20),
      delivery('bill', 1, 5),
      delivery('outage', 0, 1),
      delivery('later', 0, -10), // critical, but not due yet
    ]);
    const claimed = await ds.transaction((tx) => repo.claimDue(tx, new Date(), 3));
    expect(claimed.map((r) => r.delivery_id)).toEqual(['outage', 'bill', 'promo-1']);
    const rest = await ds.transaction((tx) => repo.claimDue(tx, new Date(), 10));
    expect(rest.map((r) => r.delivery_id)).toEqual(['promo-2']);
  });
});
