import {
  CASE_KINDS,
  channelSchema,
  durationSchema,
  type CaseKind,
  type Channel,
  type Touchpoint,
} from '@onevoice/contracts';
import { durationMs } from '../duration';
import { z } from 'zod';

const surveyTypeSchema = z.object({
  /** The catalogued intent the approved survey is sent as (its template, lifetime, urgency). */
  intent: z.string().min(1).default('survey.invite'),
  /** Share of customers asked, 0..1; the same customer always gets the same answer. */
  sample: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
  /** What the survey is about, for the message ({{topic}}), unless the request says. */
  topic: z.string().min(1),
  /** The survey's link, unless the request brings an action; {surveyType}, {interactionId}, {customerId} are filled in. */
  actionUrl: z.url({ error: 'must be an absolute URL' }),
});

/** The survey policy file (config/survey-policy.yaml), validated at start-up. */
export const surveyPolicyConfigSchema = z
  .object({
    version: z.string().min(1),
    /** At most one survey per customer in this rolling window, across all departments. */
    window: durationSchema.default('P90D'),
    /** How long a survey request waits for competing ones before the policy's priority picks. */
    settle: durationSchema.default('PT1M'),
    /** A survey not sent within this time of its request is dropped. */
    lifetime: durationSchema.default('P7D'),
    /** No survey within this time after another contact reached the customer. */
    afterContact: durationSchema.default('PT24H'),
    /** The longest a survey waits for a contact that is about to go out. */
    maxHoldForContact: durationSchema.default('P2D'),
    /** Channels that can carry a survey: the interaction's own is used when it is one of them. */
    carriers: z.array(channelSchema).min(1).default(['email', 'sms', 'chat', 'in_app', 'push']),
    /** No survey while one of these cases is open. */
    blockingCases: z.array(z.enum(CASE_KINDS)).default([...CASE_KINDS]),
    /** Which survey wins when several compete: first in this list first. */
    priority: z.array(z.string().min(1)).min(1),
    /** The survey type of a survey intent (survey.invite) sent without variables.surveyType. */
    defaultSurveyType: z.string().min(1).optional(),
    surveys: z.record(z.string().min(1), surveyTypeSchema),
  })
  .superRefine((c, ctx) => {
    c.priority.forEach((type, i) => {
      if (!Object.hasOwn(c.surveys, type))
        ctx.addIssue({
          code: 'custom',
          path: ['priority', i],
          message: `"${type}" is not a survey type in surveys`,
        });
    });
    if (c.defaultSurveyType !== undefined && !Object.hasOwn(c.surveys, c.defaultSurveyType))
      ctx.addIssue({
        code: 'custom',
        path: ['defaultSurveyType'],
        message: `"${c.defaultSurveyType}" is not a survey type in surveys`,
      });
    for (const type of Object.keys(c.surveys))
      if (!c.priority.includes(type))
        ctx.addIssue({
          code: 'custom',
          path: ['surveys', type],
          message: 'every survey type needs a place in priority',
        });
  });
export type SurveyPolicyConfig = z.infer<typeof surveyPolicyConfigSchema>;

export interface SurveyType {
  intent: string;
  sample: number;
  topic: string;
  actionUrl: string;
  /** 0 is the most important. */
  rank: number;
}

/** The survey policy as the gate uses it: durations in milliseconds, ranks resolved. */
export interface SurveyPolicy {
  version: string;
  windowMs: number;
  settleMs: number;
  lifetimeMs: number;
  afterContactMs: number;
  maxHoldForContactMs: number;
  carriers: readonly Channel[];
  blockingCases: readonly CaseKind[];
  types: Record<string, SurveyType>;
  defaultSurveyType?: string;
}

export function compileSurveyPolicy(c: SurveyPolicyConfig): SurveyPolicy {
  return {
    version: c.version,
    windowMs: durationMs(c.window),
    settleMs: durationMs(c.settle),
    lifetimeMs: durationMs(c.lifetime),
    afterContactMs: durationMs(c.afterContact),
    maxHoldForContactMs: durationMs(c.maxHoldForContact),
    carriers: c.carriers,
    blockingCases: c.blockingCases,
    ...(c.defaultSurveyType ? { defaultSurveyType: c.defaultSurveyType } : {}),
    types: Object.fromEntries(
      Object.entries(c.surveys).map(([type, t]) => [
        type,
        { ...t, rank: c.priority.indexOf(type) },
      ]),
    ),
  };
}

/** Where a customer acted, as the channel a survey about it would use (none for a shop visit). */
export function channelOfTouchpoint(t: Touchpoint): Channel | undefined {
  if (t === 'app') return 'in_app';
  if (t === 'web' || t === 'social' || t === 'store') return undefined;
  return channelSchema.parse(t);
}
