import { because, customerTime, iso, suppress, type Rule } from '../context';

/**
 * Rule 11: a message whose moment has passed is dropped, never sent late; one whose moment has
 * not come (`notBefore`) waits for it.
 */
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
  if (notBefore !== undefined && notBefore > ctx.sendAfter) {
    ctx.sendAfter = notBefore;
    // Said, so that a wait before the delivery is explained on the timeline.
    because(
      ctx,
      'expiry',
      'not_before',
      `Not before ${customerTime(notBefore, ctx.profile.timeZone)}: the time its sender set for it.`,
    );
  }
  return undefined;
};
