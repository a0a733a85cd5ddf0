import { suppress, type Rule } from '../context';

/** Rule 6: no promotion during collections, an open complaint or an outage; no survey during a case. */
export const conflictRule: Rule = (ctx) => {
  for (const conflict of ctx.policy.conflicts) {
    if (conflict.category !== ctx.request.category) continue;
    const open = ctx.ledger.openCases.find((c) => conflict.whileOpen.includes(c.kind));
    if (open) {
      return suppress(
        ctx,
        'conflict',
        `conflict_${open.kind}`,
        `Not sent: no ${ctx.request.category} message while the customer has an open ${open.kind} case (${open.caseId}).`,
      );
    }
  }
  return undefined;
};
