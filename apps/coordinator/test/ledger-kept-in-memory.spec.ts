import { daytimeZone, readinessUrl, Story, testStack } from '@onevoice/testing';
import { Client } from 'pg';

/**
 * The coordinator keeps a customer's ledger in memory between batches (LedgerCache). A batch whose
 * customers are all kept is decided there and written in one statement that checks their ledgers'
 * versions. What another path changed meanwhile — here a collections case opened, through the
 * interactions topic — must still count: the version tells the coordinator to read the customer
 * again, under its lock, and decide anew.
 */
describe('a ledger kept in memory', () => {
  const stack = testStack();
  let story: Story;

  /** The coordinator's count of batches decided from kept ledgers (its readiness probe says). */
  const fromMemory = async () => {
    const res = await fetch(readinessUrl(stack, 'coordinator'));
    const body = (await res.json()) as {
      checks: {
        ledgerCache: {
          detail: { batchesFromMemory: { written: number; changedMeanwhile: number } };
        };
      };
    };
    return body.checks.ledgerCache.detail.batchesFromMemory;
  };

  beforeAll(async () => {
    story = await Story.begin(stack, 'kept-ledger');
  });
  afterAll(async () => {
    await story.end();
  });

  const offer = (n: number) =>
    story.send('loyalty', 'loyalty.offer', {
      intentKey: `loyalty:${story.customerId}:offer-${n}`,
      variables: { offer: `Offer ${n}: double points this month` },
      action: { url: 'https://loyalty.example.test/double' },
    });

  it('decides the next request of a burst from memory, against what the last one decided', async () => {
    await story.profile({ timeZone: daytimeZone() });
    // A low-urgency offer waits for the digest window (nothing goes out, nothing else changes
    // the customer); the ledger stays in memory as that decision left it.
    const first = await offer(1);
    await story.decided(first);
    const waiting = story.decisions()[0]!.data;
    expect(waiting.outcome).toBe('deferred');
    const before = await fromMemory();

    // The next one joins it: decided from the kept ledger, which holds the first decision, and
    // written in one statement.
    const second = await offer(2);
    await story.decided(second);
    expect((await fromMemory()).written).toBeGreaterThan(before.written);
    const decision = story.decisions().find((d) => d.data.requestId === second)!.data;
    expect(decision).toMatchObject({ outcome: 'merged', mergedInto: waiting.decisionId });
  });

  it('never hides a change another path of this instance made since', async () => {
    await story.send('collections', 'case.opened', {
      caseId: `dunning-${story.customerId}`,
      kind: 'collections',
    });
    await story.waitFor('the collections case', async () =>
      (await story.timeline()).some((e) => e.kind === 'case') ? true : undefined,
    );

    // Decided against the ledger as it is now, case included — not as it was kept: the change
    // made this instance forget the kept ledger, so it went straight to the lock.
    const before = await fromMemory();
    const second = await offer(3);
    await story.decided(second);
    expect(await fromMemory()).toEqual(before);
    const decision = story.decisions().find((d) => d.data.requestId === second)!.data;
    expect(decision.outcome).toBe('suppressed');
    expect(decision.reasons).toContainEqual(
      expect.objectContaining({ rule: 'conflict', code: 'conflict_collections' }),
    );
  });

  it('never hides a change another instance made since', async () => {
    // Another coordinator instance (during a rebalance, say) closes the case: under the lock it
    // raises the ledger's version and changes the customer. This instance still keeps the ledger
    // with the case open.
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query(
        'UPDATE coordinator.ledger_versions SET version = version + 1 WHERE customer_id = $1',
        [story.customerId],
      );
      await db.query('DELETE FROM coordinator.cases WHERE customer_id = $1', [story.customerId]);
      await db.query('COMMIT');
    } finally {
      await db.end();
    }

    // Decided from memory first — and not written, the version having moved — then again from
    // the ledger as it is: no case, so no conflict.
    const before = await fromMemory();
    const next = await offer(4);
    await story.decided(next);
    expect((await fromMemory()).changedMeanwhile).toBeGreaterThan(before.changedMeanwhile);
    const decision = story.decisions().find((d) => d.data.requestId === next)!.data;
    expect(decision.reasons).not.toContainEqual(expect.objectContaining({ rule: 'conflict' }));
  });
});
