import { decodeTopicMessage } from './topic-events';
import { Topics } from './topics';

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

const decision = {
  specversion: '1.0',
  id: 'd-1',
  source: 'onevoice/coordinator',
  type: 'ov.decision.approved',
  subject: 'cust-1',
  time: '2026-11-23T10:00:00Z',
  data: {
    decisionId: 'd-1',
    requestId: 'r-1',
    requestSource: 'billing',
    outcome: 'approved',
    intentType: 'billing.payment_due',
    intentKey: 'bill:1',
    category: 'billing',
    urgency: 'high',
    channel: 'email',
    action: { url: 'https://pay.example.test' },
    reasons: [{ rule: 'channel-choice', code: 'intent_default_channel', text: 'Sent by email.' }],
    policyVersion: 'p1',
  },
};

describe('decodeTopicMessage', () => {
  it('rejects an empty value', () => {
    expect(decodeTopicMessage(Topics.events, null)).toEqual({
      ok: false,
      rejection: { reason: 'empty message value', field: '(root)' },
    });
  });

  it('rejects bytes that are not JSON, saying so', () => {
    const result = decodeTopicMessage(Topics.events, Buffer.from('{"a":'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rejection.reason).toMatch(/^malformed JSON/);
  });

  it('names the nested field at fault', () => {
    const result = decodeTopicMessage(
      Topics.decisions,
      bytes({ ...decision, data: { ...decision.data, channel: 'pigeon' } }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rejection.field).toBe('data.channel');
  });

  it('parses a valid decision, filling defaults', () => {
    const result = decodeTopicMessage(Topics.decisions, bytes(decision));
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.event.data.channel).toBe('email');
      expect(result.event.data.mergedRequestIds).toEqual([]);
    }
  });

  it('keeps fields it does not know (compatible changes add optional fields)', () => {
    const result = decodeTopicMessage(
      Topics.decisions,
      bytes({ ...decision, data: { ...decision.data, later: 1 } }),
    );
    expect(result.ok && (result.event.data as Record<string, unknown>).later).toBe(1);
  });

  it('takes an interaction only with the data its type requires', () => {
    const base = {
      specversion: '1.0',
      id: 'i-1',
      source: 'care',
      subject: 'c-1',
      type: 'interaction.inbound_contact',
    };
    expect(
      decodeTopicMessage(Topics.interactions, bytes({ ...base, data: { channel: 'chat' } })).ok,
    ).toBe(true);
    const wrong = decodeTopicMessage(
      Topics.interactions,
      bytes({ ...base, data: { channel: 'fax' } }),
    );
    expect(!wrong.ok && wrong.rejection.field).toBe('data.channel');
  });

  it('takes survey requests and survey intents on the survey topic, naming the field at fault', () => {
    const base = { specversion: '1.0', id: 's-1', source: 'surveys', subject: 'c-1' };
    const asked = {
      ...base,
      type: 'survey.requested',
      data: { surveyType: 'nps', interactionId: 'call-1', channel: 'voice' },
    };
    expect(decodeTopicMessage(Topics.surveyRequests, bytes(asked)).ok).toBe(true);
    const invite = {
      ...base,
      type: 'survey.invite',
      data: { intentKey: 'survey:1', action: { url: 'https://s.example.test' } },
    };
    expect(decodeTopicMessage(Topics.surveyRequests, bytes(invite)).ok).toBe(true);
    const badAsk = decodeTopicMessage(
      Topics.surveyRequests,
      bytes({ ...asked, data: { ...asked.data, channel: 'fax' } }),
    );
    expect(!badAsk.ok && badAsk.rejection.field).toBe('data.channel');
    const badInvite = decodeTopicMessage(
      Topics.surveyRequests,
      bytes({ ...invite, data: { action: invite.data.action } }),
    );
    expect(!badInvite.ok && badInvite.rejection.field).toBe('data.intentKey');
  });
});
