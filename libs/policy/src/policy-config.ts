import { categorySchema, channelSchema, durationSchema } from '@onevoice/contracts';
import { z } from 'zod';
import { durationMs } from './duration';
import type { ClockWindow } from './model';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');
const window = z.object({ start: clock, end: clock });

export const policyConfigSchema = z.object({
  version: z.string().min(1),
  caps: z
    .array(
      z.object({
        name: z.string().min(1),
        window: durationSchema,
        max: z.number().int().min(0),
        categories: z.array(categorySchema).optional(),
      }),
    )
    .default([]),
  priority: z.array(categorySchema).min(1),
  /**
   * A message that loses its contact budget to a more urgent one (displaced) is decided again
   * this long after, with the budget as it then is.
   */
  displacement: z.object({ redecideAfter: durationSchema }).default({ redecideAfter: 'PT1M' }),
  conflicts: z
    .array(
      z.object({
        category: categorySchema,
        whileOpen: z.array(z.enum(['complaint', 'collections', 'outage', 'service'])).min(1),
      }),
    )
    .default([]),
  quietHours: z.object({
    default: window,
    strictest: z.partialRecord(channelSchema, window).default({}),
    silentChannels: z.array(channelSchema).default([]),
  }),
  consentRequired: z.partialRecord(categorySchema, z.array(channelSchema)).default({}),
  digest: z.object({ window: durationSchema }),
  channelChoice: z.object({
    replyInKindWithin: durationSchema,
    /**
     * Channels answered in kind only by a message that answers the contact (its `replyTo`): a
     * customer who called is called back about their call, not about the next bill.
     */
    replyInKindAnswersOnly: z.array(channelSchema).default([]),
    minInferredConfidence: z.number().min(0).max(1),
  }),
  /**
   * Which messages may try another channel when theirs definitively fails, and how many others.
   * Absent: none may (a message is never sent twice on a guess).
   */
  fallback: z
    .object({
      categories: z.array(categorySchema).min(1),
      maxChannels: z.number().int().min(1).max(3).default(1),
    })
    .optional(),
});
export type PolicyConfigFile = z.infer<typeof policyConfigSchema>;

export type { ClockWindow };

/** The policy, ready for the engine: durations in milliseconds, clock times in minutes. */
export interface Policy {
  version: string;
  caps: { name: string; windowMs: number; max: number; categories?: readonly string[] }[];
  /** Lower number, higher priority. */
  categoryRank: Record<string, number>;
  /** How long after it was displaced a message is decided again. */
  redecideDisplacedAfterMs: number;
  conflicts: { category: string; whileOpen: readonly string[] }[];
  quietHours: {
    default: ClockWindow;
    strictest: Partial<Record<string, ClockWindow>>;
    silentChannels: readonly string[];
  };
  consentRequired: Partial<Record<string, readonly string[]>>;
  digestWindowMs: number;
  replyInKindWithinMs: number;
  replyInKindAnswersOnly: readonly string[];
  minInferredConfidence: number;
  fallback: { categories: readonly string[]; maxChannels: number };
  /**
   * Where OneVoice's customers live: the default zone (times are shown in it for a customer whose
   * zone is not known, and quiet hours kept in it) and every market's zone (voice and SMS to such a
   * customer keep the quiet hours of all). From the coordinator's `OV_DEFAULT_TIME_ZONE` and
   * `OV_MARKET_TIME_ZONES`.
   */
  timeZones: { default: string; markets: readonly string[] };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** A quiet window written as HH:MM, in minutes after local midnight. */
export const clockWindow = (w: { start: string; end: string }): ClockWindow => ({
  start: minutes(w.start),
  end: minutes(w.end),
});

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
/** A quiet window back as HH:MM, for the decision event. */
export const clockTimes = (w: ClockWindow): { start: string; end: string } => ({
  start: hhmm(w.start),
  end: hhmm(w.end),
});

export function compilePolicy(file: PolicyConfigFile): Policy {
  return {
    version: file.version,
    caps: file.caps.map((c) => ({
      name: c.name,
      windowMs: durationMs(c.window),
      max: c.max,
      categories: c.categories,
    })),
    categoryRank: Object.fromEntries(file.priority.map((c, i) => [c, i])),
    redecideDisplacedAfterMs: durationMs(file.displacement.redecideAfter),
    conflicts: file.conflicts,
    quietHours: {
      default: clockWindow(file.quietHours.default),
      strictest: Object.fromEntries(
        Object.entries(file.quietHours.strictest).map(([c, w]) => [c, clockWindow(w!)]),
      ),
      silentChannels: file.quietHours.silentChannels,
    },
    consentRequired: file.consentRequired,
    digestWindowMs: durationMs(file.digest.window),
    replyInKindWithinMs: durationMs(file.channelChoice.replyInKindWithin),
    replyInKindAnswersOnly: file.channelChoice.replyInKindAnswersOnly,
    minInferredConfidence: file.channelChoice.minInferredConfidence,
    fallback: file.fallback ?? { categories: [], maxChannels: 0 },
    timeZones: { default: 'UTC', markets: ['UTC'] },
  };
}
