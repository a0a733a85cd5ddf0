import type { Provider } from '@nestjs/common';
import { intentCatalogueSchema, type IntentCatalogue } from '@onevoice/contracts';
import { loadConfigFile } from './config-file';

/** Injection token of the intent catalogue the service loaded at start-up. */
export const INTENT_CATALOGUE = Symbol('IntentCatalogue');

/** Loads and validates the catalogue once, at start-up: a bad file stops the service. */
export function intentCatalogueProvider(path: string): Provider<IntentCatalogue> {
  return { provide: INTENT_CATALOGUE, useValue: loadConfigFile(path, intentCatalogueSchema) };
}
