import { daytimeZone, Story, testStack } from '@onevoice/testing';

/**
 * The coordinator keeps a customer's ledger in memory between batches (LedgerCache). What another
 * path changed meanwhile — here a collections case opened, through the interactions topic — must
 * still count: the ledger's version tells the coordinator it has to read the customer again.
 */
describe('a ledger kept in memory', () => {
  const stack = testStack();
  let story: Story;

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

  it('never hides a change another path made since', async () => {
    await story.profile({ timeZone: daytimeZone() });
    // The first offer is decided with the customer read from the database; the ledger stays in
    // memory as that decision left it.
    const first = await offer(1);
    await story.decided(first);
    expect(story.decisions()[0]!.data.outcome).not.toBe('suppressed');

    await story.send('collections', 'case.opened', {
      caseId: `dunning-${story.customerId}`,
      kind: 'collections',
    });
    await story.waitFor('the collections case', async () =>
      (await story.timeline()).some((e) => e.kind === 'case') ? true : undefined,
    );

    // Decided against the ledger as it is now, case included — not as it was kept.
    const second = await offer(2);
    await story.decided(second);
    const decision = story.decisions().find((d) => d.data.requestId === second)!.data;
    expect(decision.outcome).toBe('suppressed');
    expect(decision.reasons).toContainEqual(
      expect.objectContaining({ rule: 'conflict', code: 'conflict_collections' }),
    );
  });
});
