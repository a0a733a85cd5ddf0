import { channelSchema, durationSchema, type Channel } from '@onevoice/contracts';
import { durationMs } from '../duration';
import { z } from 'zod';

/** The profiler's settings (config/profiler.yaml), validated at start-up. */
export const profilerConfigSchema = z.object({
  version: z.string().min(1),
  /** How fast each kind of signal fades: after one half-life it counts half. */
  halfLife: z.object({
    inbound: durationSchema.default('P90D'),
    engagement: durationSchema.default('P60D'),
    negative: durationSchema.default('P30D'),
  }),
  /** How much one signal of each kind weighs as evidence. */
  weights: z.object({
    inbound: z.number().positive().default(1),
    engagement: z.number().positive().default(1.5),
    negative: z.number().positive().default(1),
  }),
  /** Weighted evidence at which confidence reaches about two thirds of the channel's share. */
  evidenceScale: z.number().positive().default(6),
  /** Evidence about one kind of message needed before it has an inference of its own. */
  minCategoryEvidence: z.number().positive().default(3),
  /** A confidence change smaller than this is not worth a new profile on ov.profiles.v1. */
  publishConfidenceStep: z.number().min(0).max(1).default(0.1),
  /** Where customers act that are not channels, and the channel each points to (and how much). */
  touchpoints: z
    .partialRecord(
      z.enum(['web', 'app', 'social', 'store']),
      z.object({ channel: channelSchema, weight: z.number().min(0).max(1) }),
    )
    .default({}),
});
export type ProfilerConfigFile = z.infer<typeof profilerConfigSchema>;

export interface ProfilerConfig {
  version: string;
  halfLifeMs: { inbound: number; engagement: number; negative: number };
  weights: { inbound: number; engagement: number; negative: number };
  evidenceScale: number;
  minCategoryEvidence: number;
  publishConfidenceStep: number;
  touchpoints: Partial<Record<string, { channel: Channel; weight: number }>>;
}

export function compileProfilerConfig(c: ProfilerConfigFile): ProfilerConfig {
  return {
    version: c.version,
    halfLifeMs: {
      inbound: durationMs(c.halfLife.inbound),
      engagement: durationMs(c.halfLife.engagement),
      negative: durationMs(c.halfLife.negative),
    },
    weights: c.weights,
    evidenceScale: c.evidenceScale,
    minCategoryEvidence: c.minCategoryEvidence,
    publishConfidenceStep: c.publishConfidenceStep,
    touchpoints: c.touchpoints,
  };
}
