import { because, iso, suppress, type Rule } from '../context';

/**
 * Rule 8: a fulfilled intent is not sent (the bill was paid: no reminder), and a newer update of
 * an intent replaces the older one instead of stacking on it.
 */
export const fulfilmentRule: Rule = (ctx) => {
  const { request, ledger } = ctx;
  // A reminder is the department's whose message it follows up.
  const owner = request.reminder?.department ?? request.source;
  for (const f of ledger.fulfilledIntents) {
    if (f.intentKey === request.intentKey && (!f.source || f.source === owner)) {
      return suppress(
        ctx,
        'fulfilment',
        'fulfilled',
        `Not sent: "${request.intentKey}" was already done (fulfilled ${iso(f.at.getTime())}).`,
      );
    }
  }
  const update = request.update;
  if (update === undefined) return undefined;
  let replaced: string[] | undefined;
  for (const d of ctx.sameIntent) {
    if (d.update === undefined) continue;
    if (d.update >= update) {
      return suppress(
        ctx,
        'supersession',
        'superseded',
        `Not sent: update ${d.update} of "${request.intentKey}" is already known; this is update ${update}.`,
      );
    }
    if ((d.outcome === 'approved' && !d.sent) || d.outcome === 'deferred')
      (replaced ??= []).push(d.decisionId);
  }
  if (replaced) {
    ctx.supersedes.push(...replaced);
    because(
      ctx,
      'supersession',
      'supersedes_update',
      `Update ${update} replaces the earlier update still waiting to go out.`,
    );
  }
  return undefined;
};
