import { suppress, type Rule } from '../context';

/**
 * Rule 12: outage messages go only to customers an outage affects (an open outage case for them),
 * never to a whole base.
 */
export const targetingRule: Rule = (ctx) => {
  if (ctx.request.category !== 'outage') return undefined;
  const resolution = ctx.request.intentType.endsWith('_resolved');
  const affected = ctx.ledger.openCases.some((c) => c.kind === 'outage');
  const told = ctx.ledger.decisions.some(
    (d) => d.category === 'outage' && d.outcome === 'approved',
  );
  if (affected || (resolution && told)) return undefined;
  return suppress(
    ctx,
    'targeting',
    'not_affected',
    'Not sent: no open outage affects this customer.',
  );
};
