import { Topics } from '@onevoice/contracts';
import { customerLinks, signToken } from '@onevoice/links';
import { daytimeZone, Story, testNow, testStack, TopicTap, STAFF } from '@onevoice/testing';

/**
 * Preferences and consents through the profiler's public interfaces: the staff API, SMS keywords
 * arriving as interactions, and the signed links every message carries. What changes is in the
 * consent ledger and in the profile the coordinator decides with.
 */
describe('preferences and consent', () => {
  const stack = testStack();
  const profiler = () => stack.services['behaviour-profiler'];
  const secret = () => stack.serviceEnv.OV_SIGNING_KEY!;
  const staff = { authorization: STAFF.ops, 'content-type': 'application/json' };
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.profiles]);
  });
  afterAll(() => tap.close());

  const preferences = async (customerId: string) =>
    (await (
      await fetch(`${profiler()}/v1/customers/${customerId}/preferences`, { headers: staff })
    ).json()) as {
      version: number;
      preferences: { optOuts: unknown[]; consents: unknown[]; preferredChannel?: string };
      consentLedger: {
        at: string;
        statedAt?: string;
        action: string;
        channel?: string;
        scope?: string;
        via: string;
        source: string;
      }[];
    };

  it('an agent sets preferences: the ledger says who and how, the profile follows, bad input is named', async () => {
    const story = await Story.begin(stack, 'prefs');
    try {
      const put = await fetch(`${profiler()}/v1/customers/${story.customerId}/preferences`, {
        method: 'PUT',
        headers: staff,
        body: JSON.stringify({
          preferredChannel: 'email',
          optOuts: [{ category: 'promotion' }],
          consents: [{ channel: 'sms', purpose: 'usage', wordingVersion: 'usage-sms-v2' }],
          timeZone: daytimeZone(),
          via: 'voice',
        }),
      });
      expect(put.status).toBe(200);
      const saved = await preferences(story.customerId);
      expect(saved.preferences.preferredChannel).toBe('email');
      expect(saved.consentLedger).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'opted_out',
            scope: 'promotion',
            via: 'voice',
            source: 'staff:ops',
          }),
          expect.objectContaining({
            action: 'consent_given',
            channel: 'sms',
            scope: 'usage',
            wordingVersion: 'usage-sms-v2',
          }),
        ]),
      );
      // Published on the compacted topic, and decided with by the coordinator.
      await tap.waitForMessages(
        'the profile',
        (m) => m.topic === Topics.profiles && m.key === story.customerId,
      );
      await story.profileInCoordinator(
        'the agent’s choices',
        (p) => p.preferredChannel === 'email',
      );

      // A promotion is not sent: the customer opted out of promotions.
      const promo = await story.send('loyalty', 'loyalty.offer', {
        intentKey: `offer:${story.customerId}`,
        variables: { offer: '2 months free' },
        action: { url: 'https://shop.example.test/offer' },
      });
      await story.decided(promo);
      expect(story.standing().get(`loyalty/${promo}`)!.data).toMatchObject({
        outcome: 'suppressed',
      });

      const bad = await fetch(`${profiler()}/v1/customers/${story.customerId}/preferences`, {
        method: 'PUT',
        headers: staff,
        body: JSON.stringify({ optOuts: [{ channel: 'pigeon' }] }),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { field: string }).field).toBe('optOuts.0.channel');
      const anonymous = await fetch(`${profiler()}/v1/customers/${story.customerId}/preferences`);
      expect(anonymous.status).toBe(401);

      // Another agent, her own credential, lifts the opt-out: only with the wording the
      // customer agreed to; the ledger names her and the wording.
      const putByAna = (body: Record<string, unknown>) =>
        fetch(`${profiler()}/v1/customers/${story.customerId}/preferences`, {
          method: 'PUT',
          headers: { ...staff, authorization: STAFF.ana },
          body: JSON.stringify({ preferredChannel: 'email', optOuts: [], via: 'chat', ...body }),
        });
      const unworded = await putByAna({});
      expect(unworded.status).toBe(403);
      expect(await unworded.json()).toMatchObject({
        error: 'not_permitted',
        field: 'wordingVersion',
      });
      const byAna = await putByAna({ wordingVersion: 'promo-optin-v2' });
      expect(byAna.status).toBe(200);
      expect((await preferences(story.customerId)).consentLedger).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'opted_in',
            scope: 'promotion',
            source: 'staff:ana',
            wordingVersion: 'promo-optin-v2',
          }),
        ]),
      );
    } finally {
      await story.end();
    }
  });

  it('STOP by SMS opts out of texts at once; START takes it back; the profile explains itself', async () => {
    const story = await Story.begin(stack, 'stop');
    /** The customer texts `words`, as the SMS provider reports it. */
    const text = async (words: string) => {
      const res = await fetch(`${stack.services['provider-simulator']}/control/reply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: story.customerId, text: words }),
      });
      expect(res.status).toBe(202);
    };
    try {
      await story.profile({
        timeZone: daytimeZone(),
        consents: [{ channel: 'sms', purpose: 'promotion' }],
      });
      // The customer texts STOP: the SMS provider reports it (the only path a keyword is taken
      // from), and the ledger records it when OneVoice took it.
      const received = testNow().getTime();
      await text('STOP');
      await story.profileInCoordinator(
        'SMS opted out',
        (p) => JSON.stringify(p.optOuts) === JSON.stringify([{ channel: 'sms' }]),
      );
      const stopped = await preferences(story.customerId);
      expect(stopped.preferences.consents).toEqual([]);
      expect(stopped.consentLedger.slice(0, 2)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'opted_out',
            channel: 'sms',
            via: 'sms',
            source: 'sms keyword (onevoice/dispatcher)',
          }),
          expect.objectContaining({
            action: 'consent_withdrawn',
            channel: 'sms',
            scope: 'promotion',
            via: 'sms',
          }),
        ]),
      );
      for (const entry of stopped.consentLedger.slice(0, 2))
        expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(received - 1_000);
      await text('start');
      await story.profileInCoordinator(
        'SMS allowed again',
        (p) => JSON.stringify(p.optOuts) === '[]',
      );

      // A department dates its change an hour back: the ledger records when OneVoice took it,
      // and keeps the sender's claim beside it (an entry can no longer be back-dated).
      const claimed = new Date(testNow().getTime() - 3_600_000);
      await story.send(
        'care',
        'preference.changed',
        { optOut: [{ channel: 'voice' }], via: 'voice' },
        { time: claimed },
      );
      await story.profileInCoordinator('voice opted out', (p) =>
        JSON.stringify(p.optOuts).includes('voice'),
      );
      const [voice] = (await preferences(story.customerId)).consentLedger;
      expect(voice).toMatchObject({
        action: 'opted_out',
        channel: 'voice',
        source: 'care',
        statedAt: claimed.toISOString(),
      });
      expect(Date.parse(voice!.at)).toBeGreaterThan(claimed.getTime() + 3_000_000);

      const explained = (await (
        await fetch(`${profiler()}/v1/customers/${story.customerId}/profile`, { headers: staff })
      ).json()) as {
        inferred: { channels: { channel: string; evidence: { inbound: number } }[] };
        explanation: string[];
      };
      expect(explained.inferred.channels[0]).toMatchObject({
        channel: 'sms',
        evidence: { inbound: 2 },
      });
      // Two texts the customer sent, each weighing 3 (config/profiler.yaml's `inbound`).
      expect(explained.explanation[0]).toMatch(
        /^Prefers sms \(confidence 0\.\d+\), from 6\.0 weighted signals/,
      );
    } finally {
      await story.end();
    }
  });

  it('one-click unsubscribe works with the message’s token and refuses forged, expired and other customers’ tokens', async () => {
    const story = await Story.begin(stack, 'unsub');
    const other = await Story.begin(stack, 'unsub-other');
    try {
      await story.profile({ timeZone: daytimeZone() });
      const post = (url: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        });
      const base = `${profiler()}/v1/unsubscribe?c=${encodeURIComponent(story.customerId)}&t=`;
      const expired = signToken(secret(), {
        purpose: 'unsubscribe',
        customerId: story.customerId,
        category: 'promotion',
        expiresAt: testNow().getTime() - 1_000,
      });
      const forged = signToken('not-the-secret-at-all', {
        purpose: 'unsubscribe',
        customerId: story.customerId,
        category: 'promotion',
        expiresAt: testNow().getTime() + 60_000,
      });
      const othersLink = customerLinks(
        { secret: secret(), baseUrl: profiler(), lifetimeMs: 60_000 },
        other.customerId,
        'promotion',
        testNow(),
      ).unsubscribe;
      const othersToken = new URL(othersLink).searchParams.get('t')!;
      for (const token of [expired, forged, othersToken, 'garbage'])
        expect((await post(base + encodeURIComponent(token))).status).toBe(403);
      const before = await preferences(story.customerId);
      expect(before.preferences.optOuts).toEqual([]);

      const links = customerLinks(
        { secret: secret(), baseUrl: profiler(), lifetimeMs: 60_000 },
        story.customerId,
        'promotion',
        testNow(),
      );
      const ok = await post(links.unsubscribe);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('You are unsubscribed');
      const after = await preferences(story.customerId);
      expect(after.preferences.optOuts).toEqual([{ category: 'promotion' }]);
      expect(after.consentLedger[0]).toMatchObject({
        action: 'opted_out',
        scope: 'promotion',
        via: 'email',
        source: 'one-click unsubscribe',
      });
      await story.profileInCoordinator(
        'promotions opted out',
        (p) => JSON.stringify(p.optOuts) === JSON.stringify([{ category: 'promotion' }]),
      );
      // The preference centre refuses a link for another customer too.
      const page = await fetch(
        links.preferences.replace(
          encodeURIComponent(story.customerId),
          encodeURIComponent(other.customerId),
        ),
      );
      expect(page.status).toBe(403);
    } finally {
      await story.end();
      await other.end();
    }
  });

  it('every message carries a working link to the preference centre', async () => {
    const story = await Story.begin(stack, 'links');
    try {
      await story.profile({ timeZone: daytimeZone(), preferredChannel: 'email' });
      const due = await story.send('billing', 'billing.payment_due', {
        intentKey: `bill:${story.customerId}`,
        variables: { amount: '12.00 EUR', dueDate: '2026-12-01' },
        action: { url: 'https://pay.example.test/x' },
      });
      await story.decided(due);
      await story.waitFor('the delivery', () => story.deliveries()[0]);
      const [message] = await story.deliveredMessages();
      const link = /Choose how we contact you: (\S+)/.exec(message!.body)?.[1];
      expect(link).toBeDefined();
      const page = await fetch(link!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('How we contact you');
      // Bills always reach the customer: no unsubscribe link on them (promotions and surveys have one).
      expect(message!.body).not.toContain('/v1/unsubscribe');
    } finally {
      await story.end();
    }
  });
});
