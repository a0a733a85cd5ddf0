/** What a provider may report of a message it was given. */
export type ProviderReport = 'delivered' | 'failed' | 'bounced';

/** Where a delivery's story has ended (its state in the dispatcher): nothing a provider says later changes it. */
const SETTLED: ReadonlySet<string> = new Set([
  'delivered',
  'failed',
  'bounced',
  'expired',
  'cancelled',
  // The customer acted on it: it was delivered.
  'opened',
  'clicked',
  'replied',
]);

/**
 * Whether a provider's report moves a delivery on. Reports only move forward: a delivery that
 * was delivered, failed, bounced, expired or called off stays so (a replayed or late "failed"
 * after "delivered" never sends the message elsewhere), and one never handed to a provider has
 * nothing to report on. Pure: the dispatcher records what it says.
 */
export function providerReport(
  current: { state: string; attempts: number },
  reported: ProviderReport,
): { apply: true } | { apply: false; why: string } {
  if (SETTLED.has(current.state))
    return {
      apply: false,
      why: `already ${current.state}: a report of "${reported}" never moves a delivery back`,
    };
  if (current.state === 'scheduled' && current.attempts === 0)
    return {
      apply: false,
      why: `not handed to a provider yet: nothing to report "${reported}" on`,
    };
  return { apply: true };
}
