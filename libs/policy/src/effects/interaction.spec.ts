import {
  answeredByReply,
  interactionEffects,
  replyKeywordOf,
  type Interaction,
} from './interaction';

const envelope = {
  specversion: '1.0',
  id: 'e-1',
  source: 'billing',
  subject: 'cust-1',
  time: '2026-11-23T09:00:00Z',
} as const;
const event = <T extends Interaction['type']>(
  type: T,
  data: Extract<Interaction, { type: T }>['data'],
) => ({ ...envelope, type, data }) as Interaction;

describe('interactionEffects (what the customer did, as the rules see it)', () => {
  it('a fulfilment calls off the intent, saying who reported it', () => {
    expect(
      interactionEffects(event('interaction.fulfilled', { intentKey: 'bill:2026-12' })),
    ).toEqual([
      {
        kind: 'fulfil',
        intentKey: 'bill:2026-12',
        summary: 'billing reported "bill:2026-12" done.',
      },
    ]);
  });

  it('a payment is an inbound touch on its channel, and settles the intent it names', () => {
    expect(
      interactionEffects(
        event('interaction.payment', { channel: 'web', amount: '42.00', fulfils: 'bill:2026-12' }),
      ),
    ).toEqual([
      { kind: 'inbound', channel: 'web' },
      {
        kind: 'fulfil',
        intentKey: 'bill:2026-12',
        summary: 'Paid 42.00 by web, settling "bill:2026-12".',
      },
    ]);
    expect(
      interactionEffects(event('interaction.payment', { channel: 'app', amount: 10 })),
    ).toEqual([
      { kind: 'inbound', channel: 'app' },
      { kind: 'timeline', entry: 'interaction', text: 'Paid 10 by app.' },
    ]);
  });

  it('cases open and close, each on the timeline', () => {
    expect(
      interactionEffects(event('case.opened', { caseId: 'c-1', kind: 'collections' })),
    ).toEqual([
      { kind: 'open-case', caseId: 'c-1', caseKind: 'collections' },
      { kind: 'timeline', entry: 'case', text: 'collections case c-1 opened.' },
    ]);
    expect(interactionEffects(event('case.closed', { caseId: 'c-1', kind: 'outage' }))).toEqual([
      { kind: 'close-case', caseId: 'c-1' },
      { kind: 'timeline', entry: 'case', text: 'outage case c-1 closed.' },
    ]);
  });

  it('an inbound contact is a touch on its channel; a text that starts with a word may answer a message', () => {
    expect(
      interactionEffects(
        event('interaction.inbound_contact', {
          channel: 'sms',
          reason: 'booking',
          text: ' book! now',
        }),
      ),
    ).toEqual([
      { kind: 'inbound', channel: 'sms' },
      {
        kind: 'timeline',
        entry: 'interaction',
        text: 'The customer contacted us by sms: booking.',
      },
      { kind: 'reply', keyword: 'BOOK' },
    ]);
    expect(interactionEffects(event('interaction.inbound_contact', { channel: 'voice' }))).toEqual([
      { kind: 'inbound', channel: 'voice' },
      { kind: 'timeline', entry: 'interaction', text: 'The customer contacted us by voice.' },
    ]);
  });

  it('self-service is on the timeline only: it is not a contact channel', () => {
    expect(
      interactionEffects(
        event('interaction.self_service', { channel: 'app', action: 'viewed bill' }),
      ),
    ).toEqual([
      { kind: 'timeline', entry: 'interaction', text: 'Self-service on app: viewed bill.' },
    ]);
  });

  it.each(['opened', 'clicked', 'replied'] as const)(
    '%s is engagement: no reminder follows',
    (action) => {
      expect(
        interactionEffects(
          event('interaction.engagement', { decisionId: 'd-1', channel: 'email', action }),
        ),
      ).toEqual([
        { kind: 'engaged', decisionId: 'd-1' },
        {
          kind: 'timeline',
          entry: 'engagement',
          text: `The customer ${action} the email message.`,
        },
      ]);
    },
  );

  it.each(['delivered', 'ignored', 'declined', 'missed', 'bounced', 'unsubscribed'] as const)(
    '%s is not engagement',
    (action) => {
      expect(
        interactionEffects(
          event('interaction.engagement', { decisionId: 'd-1', channel: 'sms', action }),
        ),
      ).toEqual([
        { kind: 'timeline', entry: 'engagement', text: `The customer ${action} the sms message.` },
      ]);
    },
  );
});

describe('replies', () => {
  it('a reply with the word asked for engages with the message and fulfils its intent', () => {
    expect(
      answeredByReply('BOOK', {
        decisionId: 'd-7',
        intentKey: 'svc:1',
        intentType: 'service.book',
      }),
    ).toEqual([
      { kind: 'engaged', decisionId: 'd-7' },
      {
        kind: 'fulfil',
        intentKey: 'svc:1',
        summary: 'Replied BOOK to service.book: "svc:1" is done.',
      },
    ]);
  });

  it('the keyword is the first word, letters and digits only, upper-cased', () => {
    expect(replyKeywordOf('  yes,please')).toBe('YESPLEASE');
    expect(replyKeywordOf('Ja 2')).toBe('JA');
    expect(replyKeywordOf('  ')).toBeUndefined();
    expect(replyKeywordOf('!!!')).toBeUndefined();
    expect(replyKeywordOf(undefined)).toBeUndefined();
  });
});
