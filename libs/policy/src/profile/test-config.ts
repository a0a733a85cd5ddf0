import {
  compileProfilerConfig,
  profilerConfigSchema,
  type ProfilerConfig,
} from './profiler-config';

/** config/profiler.yaml's defaults, for specs. */
export const testConfig = (): ProfilerConfig =>
  compileProfilerConfig(
    profilerConfigSchema.parse({
      version: 'test',
      halfLife: {},
      weights: {},
      touchpoints: {
        web: { channel: 'email', weight: 0.5 },
        app: { channel: 'in_app', weight: 1 },
        social: { channel: 'chat', weight: 1 },
      },
    }),
  );
