import { daytimeZone, Story, testStack } from '@onevoice/testing';

/** The customer who emailed support gets the answer by email, not by a call. */
describe('story: the customer who emailed support', () => {
  const stack = testStack();
  let wrote: Story;
  let silent: Story;

  beforeAll(async () => {
    [wrote, silent] = await Promise.all([
      Story.begin(stack, 'emailed'),
      Story.begin(stack, 'silent'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([wrote.end(), silent.end()]);
  });

  const reply = (story: Story) =>
    story.send('care', 'care.reply', {
      intentKey: `care:${story.customerId}:roaming`,
      variables: {
        topic: 'roaming charges',
        answer: 'Roaming in the EU is included in your plan.',
      },
      action: { url: 'https://help.example.test/roaming' },
    });

  it('answers in kind: email for the customer who wrote, while care would otherwise call', async () => {
    await Promise.all([
      wrote.profile({ timeZone: daytimeZone() }),
      silent.profile({ timeZone: daytimeZone() }),
    ]);
    await wrote.send('care', 'interaction.inbound_contact', {
      channel: 'email',
      reason: 'roaming charges',
    });
    // The inbound contact is on its own topic; let the coordinator see it before the reply.
    await wrote.waitFor('the inbound contact on the timeline', async () =>
      (await wrote.timeline()).some((e) => e.kind === 'interaction') ? true : undefined,
    );

    const [toWriter, toSilent] = await Promise.all([reply(wrote), reply(silent)]);
    await Promise.all([wrote.decided(toWriter), silent.decided(toSilent)]);

    const answer = wrote.decisions()[0]!.data;
    expect(answer).toMatchObject({ outcome: 'approved', channel: 'email' });
    expect(answer.reasons.find((r) => r.rule === 'channel-choice')).toMatchObject({
      code: 'reply_in_kind',
    });
    expect(answer.reasons.find((r) => r.rule === 'channel-choice')!.text).toMatch(
      /contacted us by email/,
    );
    // The control: a customer who did not write gets care's usual callback.
    expect(silent.decisions()[0]!.data).toMatchObject({ outcome: 'approved', channel: 'voice' });
  });

  it('answers in kind when the request names the inbound contact it answers', async () => {
    const story = await Story.begin(stack, 'reply-to');
    try {
      await story.profile({ timeZone: daytimeZone() });
      const id = await story.send('care', 'care.reply', {
        intentKey: `care:${story.customerId}:invoice`,
        variables: { topic: 'your invoice', answer: 'The credit is on your next bill.' },
        action: { url: 'https://help.example.test/invoice' },
        replyTo: { channel: 'chat', interactionId: 'chat-77' },
      });
      await story.decided(id);
      expect(story.decisions()[0]!.data).toMatchObject({ outcome: 'approved', channel: 'chat' });
    } finally {
      await story.end();
    }
  });
});
