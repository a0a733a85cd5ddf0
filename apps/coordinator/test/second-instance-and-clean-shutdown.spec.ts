import { Topics } from '@onevoice/contracts';
import {
  newCustomerId,
  paymentDue,
  postEvents,
  sleep,
  startServiceProcess,
  testStack,
  TopicTap,
} from '@onevoice/testing';

describe('a second coordinator instance shares the work, and stops cleanly', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack.brokers, [Topics.decisions]);
  });
  afterAll(() => tap.close());

  it('joins the group, takes partitions, decides once per request, and exits 0 on SIGTERM', async () => {
    const second = await startServiceProcess('coordinator', stack.serviceEnv, {
      logSuffix: '-second',
    });
    try {
      const ready = (await (await fetch(`${second.url}/health/ready`)).json()) as {
        checks: { kafka: { detail: { assignment: Record<string, number[]> } } };
      };
      const owned = ready.checks.kafka.detail.assignment[Topics.contactRequests] ?? [];
      expect(owned.length).toBeGreaterThan(0);
      expect(owned.length).toBeLessThan(6);

      const customers = Array.from({ length: 12 }, () => newCustomerId('pair'));
      const res = await postEvents(
        stack.services.ingest,
        customers.map((c) => paymentDue(c)),
      );
      expect(res.status).toBe(202);
      await tap.waitForMessages(
        'a decision for every customer',
        (m) => customers.includes(m.key ?? ''),
        { count: customers.length },
      );
      await sleep(1_000);
      for (const c of customers) expect(tap.events(Topics.decisions, c)).toHaveLength(1);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
