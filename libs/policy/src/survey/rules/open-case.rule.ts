import type { GateContext, Reason } from '../model';

/** No survey while a complaint, collections or other case is open: it would ask at the worst time. */
export function openCaseRule(ctx: GateContext): Reason | undefined {
  const open = ctx.ledger.openCases.find((c) => ctx.policy.blockingCases.includes(c.kind));
  if (!open) return undefined;
  return {
    rule: 'open-case',
    code: 'case_open',
    text: `Not sent: the customer has an open ${open.kind} case (${open.caseId}).`,
  };
}
