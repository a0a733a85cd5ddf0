import { Topics } from '@onevoice/contracts';
import {
  newCustomerId,
  paymentDue,
  postEvents,
  startServiceProcess,
  testStack,
  TopicTap,
} from '@onevoice/testing';

describe('a second coordinator instance shares the work, and stops cleanly', () => {
  const stack = testStack();
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.decisions]);
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
      const requests = customers.map((c) => paymentDue(c));
      const res = await postEvents(stack.services.ingest, requests);
      expect(res.status).toBe(202);
      // The barrier: a second request per customer, sent after the first (same key, same
      // partition). Once each is decided, any second decision of a first request — by the other
      // instance, or after a rebalance — would have been published before it.
      const markers = customers.map((c) =>
        paymentDue(c, {
          data: {
            intentKey: `marker:${c}`,
            variables: { amount: '1.00 EUR', dueDate: '2026-12-31' },
            action: { url: 'https://pay.example.test/marker' },
          },
        }),
      );
      expect((await postEvents(stack.services.ingest, markers)).status).toBe(202);
      const markerIds = new Set(markers.map((m) => m.id));
      await tap.waitForMessages(
        'a decision on every marker',
        (m) =>
          customers.includes(m.key ?? '') &&
          markerIds.has(
            (JSON.parse(m.value!.toString()) as { data: { requestId: string } }).data.requestId,
          ),
        { count: customers.length },
      );
      for (const [i, c] of customers.entries()) {
        const decided = tap.events<{ data: { requestId: string } }>(Topics.decisions, c);
        expect(decided.filter((d) => d.data.requestId === requests[i]!.id)).toHaveLength(1);
      }
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
