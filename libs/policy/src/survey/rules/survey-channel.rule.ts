import type { Channel } from '@onevoice/contracts';
import { channelOfTouchpoint } from '../survey-policy';
import type { GateContext, Reason, SurveyRecord } from '../model';

/**
 * One channel: the interaction's own when it can carry a survey (and the asking department
 * allows it), otherwise none is fixed here and the coordinator uses the customer's preferred one.
 */
export function surveyChannelRule(
  s: SurveyRecord,
  ctx: GateContext,
): { channels?: Channel[]; reason: Reason } {
  const own = s.touchpoint ? channelOfTouchpoint(s.touchpoint) : undefined;
  if (own && ctx.policy.carriers.includes(own) && (!s.channels || s.channels.includes(own))) {
    return {
      channels: [own],
      reason: {
        rule: 'survey-channel',
        code: 'interaction_channel',
        text: `Asked by ${own}, where the interaction took place.`,
      },
    };
  }
  return {
    ...(s.channels ? { channels: [...s.channels] } : {}),
    reason: {
      rule: 'survey-channel',
      code: 'preferred_channel',
      text: s.touchpoint
        ? `The interaction (${s.touchpoint}) cannot carry a survey; it goes on the customer's preferred channel.`
        : `No interaction channel to ask on; it goes on the customer's preferred channel.`,
    },
  };
}
