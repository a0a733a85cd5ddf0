import type { Provider } from '@nestjs/common';
import { compilePolicy, policyConfigSchema, type Policy } from '@onevoice/policy';
import { loadConfigFile } from '@onevoice/runtime';

export const POLICY = Symbol('Policy');

/**
 * Loads and validates the policy file at start-up (a bad file stops the coordinator), with the
 * time zones of the markets OneVoice serves (`OV_DEFAULT_TIME_ZONE`, `OV_MARKET_TIME_ZONES`).
 */
export function policyProvider(path: string, timeZones: Policy['timeZones']): Provider<Policy> {
  return {
    provide: POLICY,
    useValue: { ...compilePolicy(loadConfigFile(path, policyConfigSchema)), timeZones },
  };
}
