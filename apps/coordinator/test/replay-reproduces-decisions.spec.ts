import { Topics } from '@onevoice/contracts';
import {
  daytimeZone,
  STAFF,
  Story,
  testNow,
  testStack,
  TopicTap,
  type SeenDecision,
} from '@onevoice/testing';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadGate, DEFAULT_FILES } from '../src/simulation/simulation';
import { recordedTraffic, replayCustomer } from '../src/simulation/replay';

/**
 * What-if replay (docs/simulation.md): traffic recorded through the real services — Kafka,
 * Postgres, every service — decided again in one process under the *same* policy gives exactly
 * the decisions the coordinator made; under a changed one, POST /v1/simulations says what would
 * change.
 */
describe('replay of recorded traffic', () => {
  const stack = testStack();
  let events: TopicTap;
  const stories: Story[] = [];

  beforeAll(async () => {
    events = await TopicTap.open(stack, [Topics.events]);
  });
  afterAll(async () => {
    await events.close();
    await Promise.all(stories.map((s) => s.end()));
  });

  const begin = async (label: string) => {
    const story = await Story.begin(stack, label);
    stories.push(story);
    return story;
  };
  const offer = (story: Story, n: number) =>
    story.send('loyalty', 'loyalty.offer', {
      intentKey: `offer:${n}:${story.customerId}`,
      variables: { offer: `Offer ${n}` },
      action: { url: 'https://offers.example.test/o' },
    });
  const bill = (story: Story) =>
    story.send('billing', 'billing.payment_due', {
      intentKey: `bill:${story.customerId}`,
      variables: { amount: '30.00 EUR', dueDate: '2026-12-20' },
      action: { url: 'https://pay.example.test/p' },
    });
  const coordinatorDecisions = (story: Story) =>
    // No surveys here: every decision is the coordinator's.
    story.decisions().map((d: SeenDecision) => ({
      requestId: d.data.requestId,
      outcome: d.data.outcome,
      channel: d.data.channel,
      codes: d.data.reasons.map((r) => r.code),
    }));

  it('under the same policy, decides every recorded request as the coordinator did', async () => {
    const zone = daytimeZone();
    // A customer who says they want texts, then gets a bill and two offers.
    const texts = await begin('replay-texts');
    await texts.send('care', 'preference.changed', { timeZone: zone, preferredChannel: 'sms' });
    await texts.profileInCoordinator(
      'the stated preference',
      (p) => p['preferredChannel'] === 'sms',
    );
    const textsIds = [await bill(texts), await offer(texts, 1)];
    await texts.settled(textsIds[0]!);
    // A customer in collections: the offer is dropped, the overdue notice goes.
    const owing = await begin('replay-owing');
    await owing.send('care', 'preference.changed', { timeZone: zone });
    await owing.profileInCoordinator('the zone', (p) => p['timeZone'] === zone);
    await owing.send('collections', 'case.opened', {
      caseId: `c-${owing.customerId}`,
      kind: 'collections',
    });
    await owing.waitFor('the case in the coordinator', async () =>
      (await owing.timeline()).some((e) => e.kind === 'case') ? true : undefined,
    );
    const owingIds = [
      await offer(owing, 2),
      await owing.send('collections', 'collections.payment_overdue', {
        intentKey: `overdue:${owing.customerId}`,
        variables: { amount: '30.00 EUR', dueDate: '2026-12-01' },
        action: { url: 'https://pay.example.test/plan' },
      }),
    ];
    await owing.settled(...owingIds);
    await texts.waitFor('a decision on the offer', () =>
      texts.decisions().find((d) => d.data.requestId === textsIds[1]),
    );

    // Every department event of theirs, as ov.events.v1 holds them.
    const recorded = [
      ...events.events(Topics.events, texts.customerId),
      ...events.events(Topics.events, owing.customerId),
    ];
    const gate = loadGate(DEFAULT_FILES, { default: 'UTC', markets: ['UTC'] });
    const traffic = recordedTraffic(recorded, gate);
    expect(traffic.skipped).toEqual({});
    const end = testNow().getTime();
    for (const story of [texts, owing]) {
      const replayed = replayCustomer(
        gate,
        story.customerId,
        0,
        traffic.byCustomer.get(story.customerId)!,
        end,
      );
      const made = (replayed.decisionLog ?? []).map((d) => ({
        requestId: d.requestId,
        outcome: d.outcome,
        channel: d.channel,
        codes: d.codes,
      }));
      expect(made).toEqual(coordinatorDecisions(story));
    }
    // The stories did what they were meant to: a text, an offer dropped for collections.
    expect(coordinatorDecisions(texts)[0]).toMatchObject({ outcome: 'approved', channel: 'sms' });
    expect(coordinatorDecisions(owing)[0]).toMatchObject({
      outcome: 'suppressed',
      codes: ['conflict_collections'],
    });

    // The same through the coordinator's API: unchanged under the same policy; a policy that
    // holds back collections' own notices while a collections case is open drops the notice.
    const policyFile = parse(readFileSync('config/policy.yaml', 'utf8')) as {
      conflicts: { category: string; whileOpen: string[] }[];
    };
    const simulate = async (body: unknown, authorization: string | null = STAFF.ops) => {
      const res = await fetch(`${stack.services.coordinator}/v1/simulations`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const same = await simulate({ policy: policyFile, events: recorded });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ customers: 2, decisionsChanged: 0, changes: [] });
    const stricter = {
      ...policyFile,
      version: 'stricter',
      conflicts: [...policyFile.conflicts, { category: 'collections', whileOpen: ['collections'] }],
    };
    const changed = await simulate({ policy: stricter, events: recorded });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      policy: { after: 'stricter' },
      decisionsChanged: 1,
      changes: [
        {
          change:
            'collections.payment_overdue: approved letter → suppressed (conflict_collections)',
          count: 1,
        },
      ],
    });
    // Bad input names the field; the route is staff only.
    const bad = await simulate({
      policy: { ...policyFile, caps: [{ name: 'x', window: 'soon', max: 1 }] },
      events: [],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_body', field: 'policy.caps.0.window' });
    expect((await simulate({ policy: policyFile, events: [] }, null)).status).toBe(401);
  });
});
