import type { IntentCatalogue } from '@onevoice/contracts';

/** A small intent catalogue for the ingest's unit specs: a bill and a survey. */
export const testCatalogue: IntentCatalogue = {
  version: 'test-1',
  intents: {
    'billing.payment_due': {
      category: 'billing',
      urgency: 'high',
      defaultChannels: ['email'],
      reminders: { max: 0, after: 'P1D' },
      lifetime: 'P14D',
      transactional: false,
      template: { subject: 's', body: 'b' },
    },
    'survey.invite': {
      category: 'survey',
      urgency: 'low',
      defaultChannels: ['email'],
      reminders: { max: 0, after: 'P1D' },
      lifetime: 'P7D',
      transactional: false,
      template: { subject: 's', body: 'b' },
    },
  },
};
