import type { Provider } from '@nestjs/common';
import {
  intentCatalogueSchema,
  permissionsSchema,
  type IntentCatalogue,
  type Permissions,
} from '@onevoice/contracts';
import { loadConfigFile } from './config-file';

/** Injection token of the intent catalogue the service loaded at start-up. */
export const INTENT_CATALOGUE = Symbol('IntentCatalogue');

/** Loads and validates the catalogue once, at start-up: a bad file stops the service. */
export function intentCatalogueProvider(path: string): Provider<IntentCatalogue> {
  return { provide: INTENT_CATALOGUE, useValue: loadConfigFile(path, intentCatalogueSchema) };
}

/** Injection token of the department permissions the service loaded at start-up. */
export const PERMISSIONS = Symbol('Permissions');

/** Loads and validates `config/permissions.yaml` (or `OV_PERMISSIONS`) once: a bad file stops the service. */
export function permissionsProvider(path: string): Provider<Permissions> {
  return { provide: PERMISSIONS, useValue: loadConfigFile(path, permissionsSchema) };
}
