import { Topics } from '@onevoice/contracts';
import {
  daytimeZone,
  departmentEvent,
  paymentDue,
  produceRaw,
  Story,
  testStack,
} from '@onevoice/testing';

/**
 * Requests that reach the coordinator together compete for the contact budget by priority, not
 * by their order on the topic: the most urgent is decided first.
 */
describe('requests arriving together', () => {
  const stack = testStack();

  it('the bill takes the day’s budget from a check-up reminder published just before it', async () => {
    const story = await Story.begin(stack, 'together');
    try {
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'email' });
      await story.profileInCoordinator('the profile', (p) => p.preferredChannel === 'email');
      const checkUp = departmentEvent({
        type: 'service.appointment_due',
        source: 'care',
        subject: story.customerId,
        data: {
          intentKey: `check-up:${story.customerId}`,
          variables: { date: '2026-12-02' },
          action: { url: 'https://book.example.test/' },
        },
      });
      const bill = paymentDue(story.customerId);
      // One produce request: one record batch on one partition, which the coordinator reads as
      // one batch — the check-up first.
      await produceRaw(
        stack,
        Topics.events,
        [checkUp, bill].map((e) => ({ key: story.customerId, value: JSON.stringify(e) })),
      );
      await story.decided(checkUp.id, bill.id);

      const outcome = (id: string) =>
        story.decisions().find((d) => d.data.requestId === id)!.data.outcome;
      expect({ bill: outcome(bill.id), checkUp: outcome(checkUp.id) }).toEqual({
        bill: 'approved',
        checkUp: 'deferred',
      });
    } finally {
      await story.end();
    }
  });
});
