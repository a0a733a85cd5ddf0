import { because, suppress, type Rule } from '../context';

/**
 * Rule 8: a fulfilled intent is not sent (the bill was paid: no reminder), and a newer update of
 * an intent replaces the older one instead of stacking on it.
 */
export const fulfilmentRule: Rule = (ctx) => {
  const { request, ledger } = ctx;
  const fulfilled = ledger.fulfilledIntents.find((f) => f.intentKey === request.intentKey);
  if (fulfilled) {
    return suppress(
      ctx,
      'fulfilment',
      'fulfilled',
      `Not sent: "${request.intentKey}" was already done (fulfilled ${fulfilled.at.toISOString()}).`,
    );
  }
  if (request.update === undefined) return undefined;
  const same = ledger.decisions.filter(
    (d) => d.intentKey === request.intentKey && d.update !== undefined,
  );
  const newer = same.find((d) => d.update! >= request.update!);
  if (newer) {
    return suppress(
      ctx,
      'supersession',
      'superseded',
      `Not sent: update ${newer.update} of "${request.intentKey}" is already known; this is update ${request.update}.`,
    );
  }
  const replaced = same.filter(
    (d) => (d.outcome === 'approved' && !d.sent) || d.outcome === 'deferred',
  );
  if (replaced.length > 0) {
    ctx.supersedes.push(...replaced.map((d) => d.decisionId));
    because(
      ctx,
      'supersession',
      'supersedes_update',
      `Update ${request.update} replaces the earlier update still waiting to go out.`,
    );
  }
  return undefined;
};
