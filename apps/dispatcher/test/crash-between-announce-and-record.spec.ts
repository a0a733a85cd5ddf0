import { deliveryEventType, Topics } from '@onevoice/contracts';
import { testStack, TopicTap, waitFor } from '@onevoice/testing';
import { crashDispatcher } from './crash-harness';

/**
 * The dispatcher is killed after it announced a batch it sent ("sent" events on the topic) and
 * before it recorded the batch sent, then restarted. The claims it left are recovered: each
 * delivery reaches the customer once (the provider dedupes the key), ends `sent`, and every
 * announcement of it is the same event.
 */
describe('crash: the dispatcher killed between announcing a batch and recording it', () => {
  const stack = testStack();

  it('sends each message once and announces it under one event id', async () => {
    const tap = await TopicTap.open(stack, [Topics.deliveries]);
    const sentEvents = () =>
      tap
        .events<{ id: string; type: string; data: { deliveryId: string } }>(Topics.deliveries)
        .filter((e) => e.type === deliveryEventType('sent'));
    try {
      const scene = await crashDispatcher(stack, 'announce', 'dispatcher:announced', 1, 4);
      try {
        // Announced but never recorded: still claimed.
        expect((await scene.states()).some((r) => r.state === 'sending')).toBe(true);
        expect(sentEvents().length).toBeGreaterThan(0);
        await scene.revive(async (rows) => {
          const attempts = await scene.providerAttempts();
          for (const { delivery_id } of rows) {
            // One message reached the customer; a second call, if any, was the same key.
            const accepted = attempts.filter(
              (a) => a.idempotencyKey === delivery_id && a.outcome === 'accepted',
            );
            expect({ delivery_id, accepted: accepted.length }).toEqual({
              delivery_id,
              accepted: 1,
            });
            // Every announcement of it (before the crash and after) is one event.
            await waitFor(`"sent" of ${delivery_id} announced`, () =>
              sentEvents().some((e) => e.data.deliveryId === delivery_id) ? true : undefined,
            );
            const ids = new Set(
              sentEvents()
                .filter((e) => e.data.deliveryId === delivery_id)
                .map((e) => e.id),
            );
            expect([...ids]).toEqual([`${delivery_id}:sent`]);
          }
        });
      } finally {
        await scene.close();
      }
    } finally {
      await tap.close();
    }
  });
});
