import { because, suppress, type Rule } from '../context';
import { refuses } from '../delivery/refusal';

/**
 * Rule 1: what the customer opted out of is never used, and channels that need a recorded
 * consent for this category (SMS and voice marketing) are used only with one.
 */
export const consentRule: Rule = (ctx) => {
  const { request, profile, policy } = ctx;
  const categoryOut = profile.optOuts.find(
    (o) => o.category === request.category && o.channel === undefined,
  );
  if (categoryOut) {
    return suppress(
      ctx,
      'consent',
      'opted_out_category',
      `Not sent: the customer opted out of ${request.category} messages.`,
    );
  }
  const before = ctx.candidates;
  const needConsent = policy.consentRequired[request.category] ?? [];
  ctx.candidates = before.filter(
    (ch) =>
      // A category-wide opt-out has ended the decision above: what is left names channels.
      !profile.optOuts.some((o) => refuses(o, { channel: ch, category: request.category })) &&
      (!needConsent.includes(ch) ||
        profile.consents.some((c) => c.channel === ch && c.purpose === request.category)),
  );
  const removed = before.filter((ch) => !ctx.candidates.includes(ch));
  if (removed.length > 0) {
    because(
      ctx,
      'consent',
      'channels_excluded',
      `Not by ${removed.join(', ')}: opted out, or no recorded consent for ${request.category}.`,
    );
  }
  return undefined;
};
