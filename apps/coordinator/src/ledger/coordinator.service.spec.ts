import { compilePolicy, policyConfigSchema } from '@onevoice/policy';
import { loadConfigFile } from '@onevoice/runtime';
import { resolve } from 'node:path';
import type { EntityManager } from 'typeorm';
import { CoordinatorService } from './coordinator.service';
import { LedgerSession } from './ledger-session';
import type { LedgerRepository } from './ledger.repository';
import { addPendingRequest, type RequestRow, type StoredRequest } from './ledger.types';

const policy = compilePolicy(
  loadConfigFile(resolve(__dirname, '../../../../config/policy.yaml'), policyConfigSchema),
);
const now = new Date('2026-11-24T12:00:00Z'); // midday in UTC, the time zone of no profile
const customer = 'cust-due';

/** A request held (deferred) until `dueAgo` ms before now, as a budget deferral leaves it. */
function held(
  history: RequestRow[],
  key: string,
  r: Pick<StoredRequest, 'intentType' | 'category' | 'urgency'>,
  dueAgo: number,
) {
  const row = addPendingRequest(history, {
    requestKey: key,
    customerId: customer,
    source: 'billing',
    requestId: key,
    intentKey: `${key}:intent`,
    defaultChannels: ['email'],
    variables: {},
    action: { url: 'https://example.test/' },
    receivedAt: new Date(now.getTime() - 86_400_000).toISOString(),
    expiresAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
    ...r,
  });
  Object.assign(row, {
    status: 'deferred',
    decision_id: `${key}-d1`,
    decision_count: 1,
    at: new Date(now.getTime() - dueAgo),
  });
}

function decideDue(
  build: (history: RequestRow[]) => void,
  claimed?: Set<string>,
  withPolicy = policy,
) {
  const history: RequestRow[] = [];
  build(history);
  const session = new LedgerSession({} as EntityManager, {} as LedgerRepository);
  session.adopt(customer, { history, cases: [], fulfilled: [] });
  const out = new CoordinatorService(withPolicy).decideDue(session, customer, now, claimed);
  return new Map(
    out.map((o) => [o.event.data as { requestId: string; deferredUntil?: string }, o.event.type]),
  );
}

const outcomes = (decided: ReturnType<typeof decideDue>) =>
  Object.fromEntries([...decided].map(([d, type]) => [d.requestId, type]));

describe('CoordinatorService.decideDue', () => {
  const bill = { intentType: 'billing.payment_due', category: 'billing', urgency: 'high' } as const;
  const checkUp = {
    intentType: 'service.appointment_due',
    category: 'service',
    urgency: 'normal',
  } as const;

  it('gives the budget to the most urgent of the requests due together, whichever came due first', () => {
    // The service reminder came due a second earlier: deciding in the order found would send it.
    const decided = decideDue((h) => {
      held(h, 'check-up', checkUp, 2_000);
      held(h, 'bill', bill, 1_000);
    });
    expect(outcomes(decided)).toEqual({
      bill: 'ov.decision.approved',
      'check-up': 'ov.decision.deferred',
    });
  });

  it('leaves a held request that is not due yet', () => {
    const decided = decideDue((h) => {
      held(h, 'bill', bill, 1_000);
      held(h, 'check-up', checkUp, -60_000);
    });
    expect(outcomes(decided)).toEqual({ bill: 'ov.decision.approved' });
  });

  it('leaves a due request another instance has claimed', () => {
    const decided = decideDue(
      (h) => {
        held(h, 'check-up', checkUp, 2_000);
        held(h, 'bill', bill, 1_000);
      },
      new Set(['check-up']),
    );
    expect(outcomes(decided)).toEqual({ 'check-up': 'ov.decision.approved' });
  });

  it('moves back a message that loses its budget, to be decided again after the policy’s delay', () => {
    const slow = compilePolicy({
      ...loadConfigFile(resolve(__dirname, '../../../../config/policy.yaml'), policyConfigSchema),
      displacement: { redecideAfter: 'PT5M' },
    });
    const decided = decideDue(
      (h) => {
        // The check-up is approved for an hour from now (not gone out): it holds the day's budget.
        held(h, 'check-up', checkUp, -3_600_000);
        Object.assign(h[0]!, { status: 'approved', channel: 'email' });
        held(h, 'bill', bill, 1_000);
      },
      undefined,
      slow,
    );
    expect(outcomes(decided)).toEqual({
      bill: 'ov.decision.approved',
      'check-up': 'ov.decision.deferred',
    });
    const displaced = [...decided.keys()].find((d) => d.requestId === 'check-up')!;
    expect(displaced.deferredUntil).toBe(new Date(now.getTime() + 5 * 60_000).toISOString());
  });
});
