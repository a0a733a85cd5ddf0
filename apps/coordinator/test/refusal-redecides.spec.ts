import { customerLinks } from '@onevoice/links';
import { Story, testNow, testStack, zoneAtHours } from '@onevoice/testing';

/**
 * Refusal wins at every step: a customer who says no to a channel or a kind of message after a
 * decision, before its message went out, has that decision taken again at once — the bill held
 * for the morning by SMS goes by email; a promotion waiting in a digest is called off — with a
 * reason and a timeline line that say which choice called it off, and when. However the refusal
 * reaches OneVoice: a text, the staff API, a department, a one-click unsubscribe.
 */
describe('a refusal after a decision decides it again', () => {
  const stack = testStack();

  /** Each way a customer refuses SMS, carried out for `story`. */
  const refuseSms: Record<string, (story: Story, zone: string) => Promise<void>> = {
    'STOP texted': async (story) => {
      const res = await fetch(`${stack.services['provider-simulator']}/control/reply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: story.customerId, text: 'stop please' }),
      });
      expect(res.status).toBe(202);
    },
    'a staff PUT': (story, zone) =>
      story.profile({
        timeZone: zone,
        preferredChannel: 'sms',
        optOuts: [{ channel: 'voice' }, { channel: 'sms' }],
      }),
    'care, for the customer on the phone': async (story) => {
      await story.send('care', 'preference.changed', {
        optOut: [{ channel: 'sms' }],
        via: 'voice',
      });
    },
  };
  /** A zone where it is the night (02:00–04:00) by the services' clock now: texts wait for 08:00. */
  const night = () => zoneAtHours(2, 4, testNow());

  it.each(Object.keys(refuseSms))(
    'SMS refused by %s while a bill waits for the morning: the bill goes by email',
    async (how) => {
      const story = await Story.begin(stack, 'refuse-sms');
      const zone = night();
      try {
        // They never take calls: voice is out from the start, so email is what is left.
        await story.profile({
          timeZone: zone,
          preferredChannel: 'sms',
          optOuts: [{ channel: 'voice' }],
        });
        const bill = await story.send('billing', 'billing.payment_due', {
          intentKey: `bill:${story.customerId}`,
          variables: { amount: '31.00 EUR', dueDate: '2026-12-20' },
          action: { url: 'https://pay.example.test/r' },
        });
        await story.decided(bill);
        const held = story.standing().get(`billing/${bill}`)!;
        expect(held.data).toMatchObject({ outcome: 'approved', channel: 'sms' });
        await story.waitFor('the text scheduled for the morning', () =>
          story
            .deliveries()
            .find(
              (d) => d.data.decisionId === held.data.decisionId && d.data.state === 'scheduled',
            ),
        );

        await refuseSms[how]!(story, zone);

        const again = await story.waitFor('the bill decided again', () => {
          const d = story.standing().get(`billing/${bill}`)!;
          return d.id !== held.id ? d : undefined;
        });
        expect(again.data).toMatchObject({
          outcome: 'approved',
          channel: 'email',
          replaces: held.data.decisionId,
        });
        const last = again.data.reasons.at(-1)!;
        expect(last).toMatchObject({ rule: 'consent', code: 'refused_after_decision' });
        expect(last.text).toMatch(/^Decided again: the customer opted out of sms \(20\d\d-/);
        // The dispatcher called the text off; the timeline says why.
        await story.waitFor('the text called off', () =>
          story
            .deliveries()
            .find(
              (d) => d.data.decisionId === held.data.decisionId && d.data.state === 'cancelled',
            ),
        );
        const timeline = await story.timeline();
        expect(
          timeline.some(
            (e) =>
              e.kind === 'decision' &&
              /approved by email\. Decided again: the customer opted out of sms/.test(e.summary),
          ),
        ).toBe(true);

        // Morning: the bill arrives once, by email; no bill by text ever.
        await story.advanceTo(
          new Date(Math.max(Date.parse(again.data.sendAfter!), Date.parse(held.data.sendAfter!))),
        );
        await story.sentFor(bill);
        expect(
          story
            .received()
            .filter((r) => r.requestId === bill)
            .map((r) => r.channel),
        ).toEqual(['email']);
      } finally {
        await story.end();
      }
    },
  );

  it('a one-click unsubscribe calls off the promotion waiting to go out', async () => {
    const story = await Story.begin(stack, 'refuse-promo');
    try {
      await story.profile({ timeZone: night(), preferredChannel: 'email' });
      const offer = await story.send('loyalty', 'loyalty.offer', {
        intentKey: `offer:${story.customerId}:winter`,
        variables: { offer: 'Two months at half price' },
        action: { url: 'https://shop.example.test/winter' },
      });
      await story.decided(offer);
      const waiting = story.standing().get(`loyalty/${offer}`)!;
      expect(['approved', 'deferred']).toContain(waiting.data.outcome);

      const links = customerLinks(
        {
          secret: stack.serviceEnv.OV_SIGNING_KEY!,
          baseUrl: stack.services['behaviour-profiler'],
          lifetimeMs: 60_000,
        },
        story.customerId,
        'promotion',
        testNow(),
      );
      const res = await fetch(links.unsubscribe, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);

      const calledOff = await story.waitFor('the offer called off', () => {
        const d = story.standing().get(`loyalty/${offer}`)!;
        return d.id !== waiting.id ? d : undefined;
      });
      expect(calledOff.data.outcome).toBe('suppressed');
      expect(calledOff.data.reasons.map((r) => r.code)).toContain('refused_after_decision');
      expect(calledOff.data.reasons.at(-1)!.text).toMatch(
        /the customer opted out of promotion messages \(20\d\d-/,
      );
      // Past when it would have gone out: nothing did.
      await story.advance(24 * 3_600_000);
      expect(story.received()).toEqual([]);
    } finally {
      await story.end();
    }
  });
});
