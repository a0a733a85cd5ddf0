import type { Provider } from '@nestjs/common';
import { compilePolicy, policyConfigSchema, type Policy } from '@onevoice/policy';
import { loadConfigFile } from '@onevoice/runtime';

export const POLICY = Symbol('Policy');

/** Loads and validates the policy file at start-up: a bad file stops the coordinator. */
export function policyProvider(path: string): Provider<Policy> {
  return { provide: POLICY, useValue: compilePolicy(loadConfigFile(path, policyConfigSchema)) };
}
