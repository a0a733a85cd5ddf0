import type { IntentCatalogue, TopicEvent, Topics } from '@onevoice/contracts';
import { toStoredRequest } from './contact-request.mapper';

const catalogue: IntentCatalogue = {
  version: 'test-1',
  intents: {
    'survey.invite': {
      category: 'survey',
      urgency: 'low',
      defaultChannels: ['email'],
      channels: ['email', 'sms', 'in_app'],
      reminders: { max: 0, after: 'P1D' },
      lifetime: 'P7D',
      transactional: false,
      template: { subject: 's', body: 'b' },
    },
  },
};
const now = new Date('2026-12-03T12:00:00Z');
const request = (channels?: string[]) =>
  ({
    specversion: '1.0',
    id: 'r-1',
    source: 'surveys',
    type: 'survey.invite',
    subject: 'c-1',
    time: now.toISOString(),
    data: {
      intentKey: 'survey:1',
      variables: {},
      action: { url: 'https://example.test' },
      ...(channels ? { channels } : {}),
    },
  }) as unknown as TopicEvent<typeof Topics.contactRequests>;

describe('a contact request and the catalogue’s channels', () => {
  it('keeps to the catalogue’s channels when the department restricts nothing', () => {
    expect(toStoredRequest(request(), catalogue, now)).toMatchObject({
      ok: true,
      request: { allowedChannels: ['email', 'sms', 'in_app'] },
    });
  });

  it('takes the department’s restriction within them, and refuses one outside them', () => {
    expect(toStoredRequest(request(['voice', 'sms']), catalogue, now)).toMatchObject({
      ok: true,
      request: { allowedChannels: ['sms'] },
    });
    expect(toStoredRequest(request(['voice']), catalogue, now)).toMatchObject({
      ok: false,
      rejection: { field: 'data.channels' },
    });
  });
});
