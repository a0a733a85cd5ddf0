import { z } from 'zod';
import {
  categorySchema,
  channelSchema,
  clockTimeSchema,
  timeZoneSchema,
  urgencySchema,
} from './channels';
import { cloudEventEnvelopeSchema } from './cloud-event';
import { reasonCodeSchema, ruleNameSchema } from './reason-codes';

export const DECISION_OUTCOMES = ['approved', 'suppressed', 'merged', 'deferred'] as const;
export const decisionOutcomeSchema = z.enum(DECISION_OUTCOMES);
export type DecisionOutcome = z.infer<typeof decisionOutcomeSchema>;

/**
 * One rule that fired: the rule, a code of the catalogue (reason-codes.ts) and a sentence a
 * contact-centre agent can read, with the particulars of this decision.
 */
export const decisionReasonSchema = z.object({
  rule: ruleNameSchema,
  code: reasonCodeSchema,
  text: z.string().min(1),
});
export type DecisionReason = z.infer<typeof decisionReasonSchema>;

export const decisionDataSchema = z
  .object({
    decisionId: z.string().min(1),
    requestId: z.string().min(1),
    requestSource: z.string().min(1),
    outcome: decisionOutcomeSchema,
    intentType: z.string().min(1),
    intentKey: z.string().min(1),
    category: categorySchema,
    urgency: urgencySchema,
    channel: channelSchema.optional(),
    sendAfter: z.iso.datetime({ offset: true }).optional(),
    sendBefore: z.iso.datetime({ offset: true }).optional(),
    deferredUntil: z.iso.datetime({ offset: true }).optional(),
    mergedInto: z.string().optional(),
    mergedRequestIds: z.array(z.string()).default([]),
    /** The requests a digest carries with it, to be named in the one message that goes out. */
    merged: z
      .array(
        z
          .object({
            requestId: z.string(),
            requestSource: z.string(),
            intentType: z.string(),
            intentKey: z.string(),
            variables: z.record(z.string(), z.unknown()).default({}),
            action: z
              .object({ url: z.string().optional(), replyKeyword: z.string().optional() })
              .loose(),
          })
          .loose(),
      )
      .optional(),
    /** An earlier decision about the same request that this one replaces (its send is off). */
    replaces: z.string().optional(),
    /**
     * Where the message may go instead if its channel definitively fails (bounced, refused,
     * retries spent): the next allowed channels in order, each with the customer's quiet hours
     * for it, in their time zone, and not after `until`. Absent: no fallback (the policy does
     * not allow one for this message, or no other channel is known to reach the customer).
     */
    fallback: z
      .object({
        timeZone: timeZoneSchema,
        /** Do-not-disturb: nothing before this. */
        notBefore: z.iso.datetime({ offset: true }).optional(),
        until: z.iso.datetime({ offset: true }),
        channels: z
          .array(
            z.object({
              channel: channelSchema,
              quietHours: z.array(z.object({ start: clockTimeSchema, end: clockTimeSchema })),
              /** Zones whose quiet hours it keeps too (the customer's zone is not known: every market's). */
              alsoIn: z.array(timeZoneSchema).optional(),
            }),
          )
          .min(1),
      })
      .optional(),
    /** For a reminder: the decision it follows up. */
    reminderOf: z.string().optional(),
    variables: z.record(z.string(), z.unknown()).default({}),
    action: z.object({ url: z.string().optional(), replyKeyword: z.string().optional() }).loose(),
    reasons: z.array(decisionReasonSchema).min(1),
    policyVersion: z.string().min(1),
  })
  .loose();
export type DecisionData = z.infer<typeof decisionDataSchema>;

export const decisionEventType = (outcome: DecisionOutcome) => `ov.decision.${outcome}` as const;

export const decisionEventSchema = cloudEventEnvelopeSchema.extend({
  type: z.enum(DECISION_OUTCOMES.map(decisionEventType) as [string, ...string[]]),
  data: decisionDataSchema,
});
