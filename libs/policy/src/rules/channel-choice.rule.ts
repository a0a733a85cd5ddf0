import type { Channel, ReasonCode, Touchpoint } from '@onevoice/contracts';
import { because, suppress, type DecisionContext, type Rule } from '../context';

/** Where a customer acted, and the channel that answers in kind. */
const REPLY_CHANNEL: Partial<Record<Touchpoint, Channel>> = {
  email: 'email',
  sms: 'sms',
  chat: 'chat',
  voice: 'voice',
  app: 'in_app',
  social: 'chat',
  push: 'push',
  in_app: 'in_app',
};

/**
 * Rule 3: reply in kind → the customer's choice for this category → their general choice → the
 * channel their behaviour shows, when confident → the intent's defaults → none. Never a guess on
 * a channel the customer refused (those are gone from the candidates already).
 */
export const channelChoiceRule: Rule = (ctx) => {
  const usable = (ch: Channel | undefined): ch is Channel =>
    ch !== undefined &&
    ctx.candidates.includes(ch) &&
    (!ctx.request.allowedChannels || ctx.request.allowedChannels.includes(ch));
  const pick = (ch: Channel | undefined, code: ReasonCode, text: (ch: Channel) => string) => {
    if (!usable(ch)) return false;
    ctx.channel = ch;
    ctx.keptForContinuity = code === 'reminder_same_channel' || code === 'same_channel_as_before';
    because(ctx, 'channel-choice', code, text(ch));
    return true;
  };
  const { request, profile, ledger, policy, now } = ctx;

  if (request.reminder) {
    const first = ledger.decisions.find((d) => d.decisionId === request.reminder!.of);
    if (
      pick(
        first?.channel,
        'reminder_same_channel',
        (ch) => `By ${ch}: a reminder goes where the first message went.`,
      )
    )
      return undefined;
    return suppress(
      ctx,
      'channel-choice',
      'no_reachable_channel',
      'Not sent: the first message’s channel is no longer allowed.',
    );
  }
  // One channel per intent: an update, or a request decided again, keeps to the channel the
  // customer already heard (or was to hear) about it on — or is not sent.
  const earlier =
    request.previousChannel ??
    ctx.sameIntent.find(
      (d) => (d.outcome === 'approved' || d.outcome === 'deferred') && d.channel !== undefined,
    )?.channel;
  if (earlier) {
    if (
      pick(
        earlier,
        'same_channel_as_before',
        (ch) => `By ${ch}: where the customer already heard about "${request.intentKey}".`,
      )
    )
      return undefined;
    return suppress(
      ctx,
      'channel-choice',
      'channel_no_longer_allowed',
      `Not sent: "${request.intentKey}" went by ${earlier}, which is no longer allowed, and one intent never uses two channels.`,
    );
  }
  const recent = ledger.lastInbound;
  const inbound =
    request.replyTo ??
    (recent &&
    now - recent.at.getTime() <= policy.replyInKindWithinMs &&
    !policy.replyInKindAnswersOnly.includes(REPLY_CHANNEL[recent.channel] ?? '')
      ? recent
      : undefined);
  if (
    inbound &&
    pick(
      REPLY_CHANNEL[inbound.channel],
      'reply_in_kind',
      (ch) => `By ${ch}: the customer contacted us by ${inbound.channel}, so we answer in kind.`,
    )
  )
    return undefined;
  if (
    pick(
      profile.categoryChannels?.[request.category],
      'preferred_for_category',
      (ch) => `By ${ch}: the customer asked for ${request.category} messages by ${ch}.`,
    )
  )
    return undefined;
  if (
    pick(
      profile.preferredChannel,
      'preferred_channel',
      (ch) => `By ${ch}: the customer’s preferred channel.`,
    )
  )
    return undefined;
  const inferred = profile.inferred?.find(
    (i) => i.confidence >= policy.minInferredConfidence && usable(i.channel),
  );
  if (
    inferred &&
    pick(
      inferred.channel,
      'inferred_channel',
      (ch) =>
        `By ${ch}: how the customer deals with us shows they prefer it (confidence ${inferred.confidence.toFixed(2)}).`,
    )
  )
    return undefined;
  const fallback = defaultsFor(ctx).find(usable);
  if (
    pick(
      fallback,
      'intent_default_channel',
      (ch) =>
        `By ${ch}: the usual channel for "${request.intentType}", with nothing known against it.`,
    )
  )
    return undefined;
  return suppress(
    ctx,
    'channel-choice',
    'no_reachable_channel',
    'Not sent: no channel the customer allows can carry this message.',
  );
};

/**
 * Where an approved message may go if its channel definitively fails (an email bounces, a number
 * is dead): only for the categories the policy names, never for a message that keeps its channel
 * for continuity (an update, a reminder), and only to channels still allowed that are known to
 * reach the customer — their choices, a confident inference, the intent's defaults — in that
 * order. Each carries its own quiet hours: the dispatcher finds the window when it falls back.
 */
export function fallbackChannels(ctx: DecisionContext): Channel[] {
  const { policy, request, profile } = ctx;
  if (policy.fallback.maxChannels === 0 || !policy.fallback.categories.includes(request.category))
    return [];
  if (ctx.keptForContinuity) return [];
  const known: (Channel | undefined)[] = [
    profile.categoryChannels?.[request.category],
    profile.preferredChannel,
    ...(profile.inferred ?? [])
      .filter((i) => i.confidence >= policy.minInferredConfidence)
      .map((i) => i.channel),
    ...defaultsFor(ctx),
  ];
  const out: Channel[] = [];
  for (const ch of known) {
    if (out.length === policy.fallback.maxChannels) break;
    if (
      ch !== undefined &&
      ch !== ctx.channel &&
      !out.includes(ch) &&
      ctx.candidates.includes(ch) &&
      (!request.allowedChannels || request.allowedChannels.includes(ch))
    )
      out.push(ch);
  }
  return out;
}

function defaultsFor(ctx: DecisionContext): Channel[] {
  const { request } = ctx;
  if (!request.allowedChannels) return [...request.defaultChannels];
  const inOrder = request.defaultChannels.filter((c) => request.allowedChannels!.includes(c));
  return [...inOrder, ...request.allowedChannels.filter((c) => !inOrder.includes(c))];
}
