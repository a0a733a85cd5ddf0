import { z } from 'zod';
import { categorySchema, channelSchema, clockTimeSchema } from './channels';
import { cloudEventEnvelopeSchema } from './cloud-event';

/**
 * A customer's contact profile, as the behaviour profiler publishes it on the compacted
 * `ov.profiles.v1` (latest per customer): what the customer said (explicit, always wins) and
 * what their behaviour shows (inferred, with a confidence). The coordinator decides with it.
 */
export const profileDataSchema = z
  .object({
    customerId: z.string().min(1),
    /** Increases with every published change; an older profile never replaces a newer one. */
    version: z.number().int().nonnegative(),
    /** The customer's zone, once they said it or OneVoice learnt it; absent: not known. */
    timeZone: z.string().min(1).optional(),
    quietHours: z.object({ start: clockTimeSchema, end: clockTimeSchema }).optional(),
    doNotDisturbUntil: z.iso.datetime({ offset: true }).optional(),
    preferredChannel: channelSchema.optional(),
    categoryChannels: z.partialRecord(categorySchema, channelSchema).default({}),
    optOuts: z
      .array(z.object({ channel: channelSchema.optional(), category: categorySchema.optional() }))
      .default([]),
    consents: z
      .array(
        z.object({
          channel: channelSchema,
          purpose: z.string().min(1),
          wordingVersion: z.string().optional(),
        }),
      )
      .default([]),
    frequency: z.enum(['as_it_comes', 'daily_digest', 'weekly_digest']).default('as_it_comes'),
    /** Inferred channel affinities, best first; `category` when the inference is for one kind of message. */
    inferred: z
      .array(
        z.object({
          channel: channelSchema,
          confidence: z.number().min(0).max(1),
          category: categorySchema.optional(),
        }),
      )
      .default([]),
    /** UTC hours of day at which the customer most often acts, busiest first. */
    activeHours: z.array(z.number().int().min(0).max(23)).optional(),
  })
  .loose();
export type ProfileData = z.infer<typeof profileDataSchema>;

export const PROFILE_UPDATED = 'ov.profile.updated';

export const profileEventSchema = cloudEventEnvelopeSchema.extend({
  type: z.literal(PROFILE_UPDATED),
  data: profileDataSchema,
});
