import { resolve } from 'node:path';
import { permissionsSchema, type IntentCatalogue, type Permissions } from '@onevoice/contracts';
import { loadConfigFile } from '@onevoice/runtime';

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

/** Permissions that let every department publish everything (specs not about permissions). */
export const everything: Permissions = {
  version: 'test-open',
  default: { intents: ['*'], events: ['*'], fulfils: 'any' },
  departments: {},
};

/** The permissions OneVoice ships (`config/permissions.yaml`). */
export const shippedPermissions: Permissions = loadConfigFile(
  resolve(__dirname, '../../../../config/permissions.yaml'),
  permissionsSchema,
);
