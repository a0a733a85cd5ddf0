import {
  categorySchema,
  channelSchema,
  clockTimeSchema,
  timeZoneSchema,
} from '@onevoice/contracts';
import { z } from 'zod';

/** PUT /v1/customers/{id}/preferences: the customer's whole set of choices, replacing the last. */
export const preferencesBodySchema = z
  .object({
    preferredChannel: channelSchema.optional(),
    categoryChannels: z.partialRecord(categorySchema, channelSchema).default({}),
    optOuts: z
      .array(
        z
          .object({ channel: channelSchema.optional(), category: categorySchema.optional() })
          .strict()
          .refine((o) => o.channel !== undefined || o.category !== undefined, {
            error: 'name a channel, a category, or both',
          }),
      )
      .default([]),
    consents: z
      .array(
        z
          .object({
            channel: channelSchema,
            purpose: z.string().min(1).max(100),
            wordingVersion: z.string().min(1).max(50).optional(),
          })
          .strict(),
      )
      .default([]),
    frequency: z.enum(['as_it_comes', 'daily_digest', 'weekly_digest']).default('as_it_comes'),
    quietHours: z.object({ start: clockTimeSchema, end: clockTimeSchema }).strict().optional(),
    timeZone: timeZoneSchema.optional(),
    doNotDisturbUntil: z.iso
      .datetime({ offset: true, error: 'must be an RFC 3339 timestamp' })
      .optional(),
    /** How the customer told us (voice, store, email, …), for the consent ledger. */
    via: z.string().min(1).max(50).default('agent'),
    /**
     * The wording the customer agreed to, read out or shown by the agent: required to lift an
     * opt-out (a re-consent comes only from the customer, with what they were told).
     */
    wordingVersion: z.string().min(1).max(50).optional(),
  })
  .strict();
export type PreferencesBody = z.infer<typeof preferencesBodySchema>;
