import { z } from 'zod';
import {
  categorySchema,
  channelSchema,
  clockTimeSchema,
  timeZoneSchema,
  touchpointSchema,
} from './channels';

/**
 * The `data` of each public event type a department may send (docs/design.md §3).
 * Compatible changes add optional fields; unknown fields are kept, never rejected.
 */

const isoTime = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp' });

/** The schemes a link in a message may have: a web page, nothing a browser would run or inline. */
export const WEB_URL_PROTOCOLS = ['https:', 'http:'] as const;

/** Whether `url` is a web address (`https:`, or `http:` with `allowHttp`). */
export function isWebUrl(url: string, allowHttp = true): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol } = new URL(url);
  return protocol === 'https:' || (allowHttp && protocol === 'http:');
}

/**
 * An action's address: an absolute `https:` or `http:` URL — never `javascript:`, `data:`,
 * `file:` or the like, which a tracking link would otherwise redirect a customer to. Whether
 * `http:` is taken is ingest's configuration (`OV_ALLOW_HTTP_ACTION_URLS`).
 */
export const actionUrlSchema = z
  .url({ error: 'must be an absolute URL' })
  .refine((u) => isWebUrl(u), { error: 'must be an https: (or http:) URL' });

export const intentActionSchema = z
  .object({
    url: actionUrlSchema.optional(),
    replyKeyword: z.string().trim().min(1).max(40).optional(),
    label: z.string().max(200).optional(),
  })
  .loose()
  .refine((a) => a.url !== undefined || a.replyKeyword !== undefined, {
    error: 'an action needs a url or a replyKeyword: every message leads somewhere',
  });

export const contactIntentDataSchema = z
  .object({
    intentKey: z.string().trim().min(1, 'intentKey must be a non-empty string').max(300),
    variables: z.record(z.string(), z.unknown()).default({}),
    action: intentActionSchema,
    replyTo: z
      .object({ channel: touchpointSchema, interactionId: z.string().min(1).max(200) })
      .loose()
      .optional(),
    expiresAt: isoTime.optional(),
    notBefore: isoTime.optional(),
    channels: z.array(channelSchema).min(1).optional(),
    update: z.number().int().nonnegative().optional(),
  })
  .loose();
export type ContactIntentData = z.infer<typeof contactIntentDataSchema>;

export const inboundContactDataSchema = z
  .object({
    channel: z.enum(['voice', 'chat', 'email', 'sms', 'social', 'store']),
    reason: z.string().max(500).optional(),
    /** A provider's message id can be long (up to 500 characters). */
    interactionId: z.string().max(500).optional(),
    /** What the customer wrote, for an SMS: STOP, START and HELP change consent at once. */
    text: z.string().max(1600).optional(),
  })
  .loose();

export const selfServiceDataSchema = z
  .object({ channel: z.enum(['web', 'app']), action: z.string().min(1).max(200) })
  .loose();

const AMOUNT_MESSAGE = 'must be a non-negative number or a decimal string such as "42.00"';

export const paymentDataSchema = z
  .object({
    channel: touchpointSchema,
    /** A number, or a decimal string as many billing systems write money ("42.00"). */
    amount: z.union(
      [
        z
          .number({ error: (i) => (i.input === undefined ? 'is required' : AMOUNT_MESSAGE) })
          .nonnegative('must not be negative'),
        z.string().regex(/^\d{1,15}(\.\d{1,6})?$/, AMOUNT_MESSAGE),
      ],
      { error: AMOUNT_MESSAGE },
    ),
    currency: z.string().length(3).optional(),
    fulfils: z.string().min(1).max(300).optional(),
  })
  .loose();

export const ENGAGEMENT_ACTIONS = [
  'delivered',
  'opened',
  'clicked',
  'replied',
  'ignored',
  'declined',
  'missed',
  'bounced',
  'unsubscribed',
] as const;

export const engagementDataSchema = z
  .object({
    decisionId: z.string().min(1).max(200),
    channel: channelSchema,
    action: z.enum(ENGAGEMENT_ACTIONS),
  })
  .loose();

export const fulfilledDataSchema = z
  .object({ intentKey: z.string().trim().min(1).max(300) })
  .loose();

export const CASE_KINDS = ['complaint', 'collections', 'outage', 'service'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export const caseDataSchema = z
  .object({ caseId: z.string().min(1).max(200), kind: z.enum(CASE_KINDS) })
  .loose();

export const surveyRequestedDataSchema = z
  .object({
    surveyType: z.string().min(1).max(100),
    interactionId: z.string().min(1).max(200),
    /** Where the surveyed interaction took place. */
    channel: touchpointSchema,
    /** Optional: the message's variables and action (the survey link), else the survey policy's. */
    variables: z.record(z.string(), z.unknown()).optional(),
    action: intentActionSchema.optional(),
    expiresAt: isoTime.optional(),
  })
  .loose();
export type SurveyRequestedData = z.infer<typeof surveyRequestedDataSchema>;

const channelCategorySchema = z
  .object({ channel: channelSchema.optional(), category: categorySchema.optional() })
  .refine((v) => v.channel !== undefined || v.category !== undefined, {
    error: 'name a channel, a category, or both',
  });

export const preferenceChangedDataSchema = z
  .object({
    preferredChannel: channelSchema.optional(),
    optOut: z.array(channelCategorySchema).optional(),
    optIn: z.array(channelCategorySchema).optional(),
    quietHours: z.object({ start: clockTimeSchema, end: clockTimeSchema }).optional(),
    timeZone: timeZoneSchema.optional(),
    frequency: z.enum(['as_it_comes', 'daily_digest', 'weekly_digest']).optional(),
    consent: z
      .object({
        channel: channelSchema,
        purpose: z.string().min(1).max(100),
        wordingVersion: z.string().min(1).max(50),
      })
      .optional(),
    /** Takes a consent back, as easily as it was given. */
    withdrawConsent: z
      .object({ channel: channelSchema, purpose: z.string().min(1).max(100) })
      .optional(),
    /** The channel for one kind of message (email for billing, chat for care). */
    categoryChannels: z.partialRecord(categorySchema, channelSchema).optional(),
    /** No messages at all until then (critical ones excepted). */
    doNotDisturbUntil: isoTime.optional(),
    /** Through which channel the customer said it (web, app, store, voice, …), for the consent ledger. */
    via: z.string().min(1).max(50).optional(),
    /**
     * The version of the wording the customer agreed to: required with `optIn` (a re-consent, after
     * a STOP too, is recorded with what the customer was told).
     */
    wordingVersion: z.string().min(1).max(50).optional(),
  })
  .loose()
  .refine((p) => Object.keys(p).length > 0, { error: 'a preference change must change something' });
export type PreferenceChangedData = z.infer<typeof preferenceChangedDataSchema>;

/** Non-intent event types and the schema of their `data`. */
export const INTERACTION_DATA_SCHEMAS = {
  'interaction.inbound_contact': inboundContactDataSchema,
  'interaction.self_service': selfServiceDataSchema,
  'interaction.payment': paymentDataSchema,
  'interaction.engagement': engagementDataSchema,
  'interaction.fulfilled': fulfilledDataSchema,
  'case.opened': caseDataSchema,
  'case.closed': caseDataSchema,
} as const;
export type InteractionEventType = keyof typeof INTERACTION_DATA_SCHEMAS;

export const SURVEY_REQUESTED = 'survey.requested';
export const PREFERENCE_CHANGED = 'preference.changed';
