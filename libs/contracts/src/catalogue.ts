import { z } from 'zod';
import { categorySchema, channelSchema, urgencySchema, type Channel } from './channels';

/** ISO-8601 duration in days/hours/minutes/seconds, e.g. P14D, PT36H, PT30S. */
export const durationSchema = z
  .string()
  .regex(
    /^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/,
    'must be an ISO-8601 duration such as P14D, PT12H or PT30S',
  );

export const intentDefinitionSchema = z
  .object({
    category: categorySchema,
    urgency: urgencySchema,
    defaultChannels: z.array(channelSchema).min(1, 'needs at least one default channel'),
    /**
     * The only channels this intent may ever use, whatever the customer's habits (a survey is never
     * a phone call); absent: any. A department's own restriction is taken within it.
     */
    channels: z.array(channelSchema).min(1).optional(),
    reminders: z
      .object({ max: z.number().int().min(0).max(5), after: durationSchema })
      .default({ max: 0, after: 'P1D' }),
    lifetime: durationSchema,
    /**
     * About something the customer did or asked for (a booking's confirmation, its reminder, their
     * car being ready): counted in the contact budgets, never held back by them — as a critical
     * message is. Unsolicited messages (reminders to book, offers, notices) are not.
     */
    transactional: z.boolean().default(false),
    template: z.object({
      subject: z.string().min(1),
      body: z.string().min(1),
    }),
    description: z.string().optional(),
  })
  .refine((i) => !i.channels || i.defaultChannels.every((c) => i.channels!.includes(c)), {
    path: ['defaultChannels'],
    message: "every default channel must be one of the intent's channels",
  });
export type IntentDefinition = z.infer<typeof intentDefinitionSchema>;

/**
 * The channels a request of `intent` may use: the department's restriction (`requested`) within
 * the catalogue's `channels`; undefined when neither restricts. Empty: nothing both allow.
 */
export function allowedChannelsOf(
  intent: Pick<IntentDefinition, 'channels'>,
  requested: readonly Channel[] | undefined,
): Channel[] | undefined {
  if (!intent.channels) return requested ? [...requested] : undefined;
  if (!requested) return [...intent.channels];
  return requested.filter((c) => intent.channels!.includes(c));
}

/** Why an intent type name is not allowed, or undefined when it is fine. */
export function intentTypeNameProblem(type: string): string | undefined {
  if (!/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$/.test(type)) {
    return 'intent types look like department.what_happened (lower case, dot-separated)';
  }
  if (/^(interaction|case|preference)\./.test(type) || type === 'survey.requested') {
    return 'interaction.*, case.*, preference.* and survey.requested are reserved event types';
  }
  return undefined;
}

/** The intent catalogue: a versioned config file mapping each intent type to its policy. */
export const intentCatalogueSchema = z.object({
  version: z.string().min(1),
  intents: z.record(z.string(), intentDefinitionSchema).superRefine((intents, ctx) => {
    for (const type of Object.keys(intents)) {
      const problem = intentTypeNameProblem(type);
      if (problem) ctx.addIssue({ code: 'custom', path: [type], message: problem });
    }
  }),
});
export type IntentCatalogue = z.infer<typeof intentCatalogueSchema>;
