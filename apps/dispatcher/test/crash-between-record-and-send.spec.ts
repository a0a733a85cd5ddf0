import { testStack } from '@onevoice/testing';
import { crashDispatcher } from './crash-harness';

/**
 * The dispatcher is killed after it recorded and claimed a delivery, before it called the
 * provider, and restarted: every decision gets exactly one provider call.
 */
describe('crash: the dispatcher killed between recording and sending', () => {
  const stack = testStack();

  it('gives exactly one provider call per decision across the crash', async () => {
    const scene = await crashDispatcher(stack, 'crash', 'dispatcher:claimed', 2, 6);
    try {
      // Recorded before the crash, one of them claimed and never sent.
      expect((await scene.states()).some((r) => r.state === 'sending')).toBe(true);
      await scene.revive(async (rows) => {
        const attempts = await scene.providerAttempts();
        for (const { delivery_id } of rows) {
          const calls = attempts.filter(
            (a) => a.idempotencyKey === delivery_id && a.outcome === 'accepted',
          );
          const repeats = attempts.filter(
            (a) => a.idempotencyKey === delivery_id && a.outcome === 'duplicate',
          );
          expect({ delivery_id, calls: calls.length, repeats: repeats.length }).toEqual({
            delivery_id,
            calls: 1,
            repeats: 0,
          });
        }
      });
    } finally {
      await scene.close();
    }
  });
});
