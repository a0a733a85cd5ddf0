import { iso, suppress, type Rule } from '../context';

/** Rule 11: a message whose moment has passed is dropped, never sent late. */
export const expiryRule: Rule = (ctx) => {
  const expires = ctx.request.expiresAt.getTime();
  if (ctx.now >= expires) {
    return suppress(
      ctx,
      'expiry',
      'expired',
      `Not sent: it expired at ${iso(expires)}, before it could go out.`,
    );
  }
  const notBefore = ctx.request.notBefore?.getTime();
  if (notBefore !== undefined && notBefore > ctx.sendAfter) ctx.sendAfter = notBefore;
  return undefined;
};
