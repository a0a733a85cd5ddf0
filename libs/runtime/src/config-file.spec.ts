import { intentCatalogueSchema } from '@onevoice/contracts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfigFile } from './config-file';

const write = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'ov-config-')), 'catalogue.yaml');
  writeFileSync(file, text);
  return file;
};

describe('loadConfigFile', () => {
  it('loads the intent catalogue the project ships', () => {
    const catalogue = loadConfigFile(
      resolve(__dirname, '../../../config/intent-catalogue.yaml'),
      intentCatalogueSchema,
    );
    expect(catalogue.intents['billing.payment_due']).toMatchObject({
      category: 'billing',
      urgency: 'high',
    });
    expect(Object.keys(catalogue.intents).length).toBeGreaterThan(10);
  });

  it('names the key at fault', () => {
    const file = write(`version: '1'
intents:
  billing.payment_due:
    category: billing
    urgency: urgent
    defaultChannels: [email]
    lifetime: P14D
    template: { subject: s, body: b }
`);
    expect(() => loadConfigFile(file, intentCatalogueSchema)).toThrow(
      /intents\.billing\.payment_due\.urgency/,
    );
  });

  it('refuses a reserved event type as an intent', () => {
    const file = write(`version: '1'
intents:
  interaction.payment:
    category: billing
    urgency: low
    defaultChannels: [email]
    lifetime: P1D
    template: { subject: s, body: b }
`);
    expect(() => loadConfigFile(file, intentCatalogueSchema)).toThrow(/reserved/);
  });

  it('says when the file is missing or not YAML', () => {
    expect(() => loadConfigFile('/nonexistent/catalogue.yaml', intentCatalogueSchema)).toThrow(
      /cannot read config file/,
    );
    expect(() => loadConfigFile(write('a: [unclosed'), intentCatalogueSchema)).toThrow(
      /not valid YAML/,
    );
  });
});
