import type { Reason } from '../model';

/**
 * Rule 8, supersession, as applied: an update waiting to go out that a newer update of the same
 * intent replaces (the engine's `supersedes`; `fulfilment.rule.ts` decides that) is taken back.
 */
export function supersededBy(intentKey: string): Reason {
  return {
    rule: 'supersession',
    code: 'superseded',
    text: `Replaced by a newer update of "${intentKey}".`,
  };
}
