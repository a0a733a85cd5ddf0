import type { Provider } from '@nestjs/common';
import { loadConfigFile } from '@onevoice/runtime';
import { compileProfilerConfig, profilerConfigSchema, type ProfilerConfig } from '@onevoice/policy';

export const PROFILER_CONFIG = Symbol('ProfilerConfig');

/** Loads config/profiler.yaml at start-up: a bad file stops the profiler, naming the key. */
export function profilerConfigProvider(path: string): Provider<ProfilerConfig> {
  return {
    provide: PROFILER_CONFIG,
    useValue: compileProfilerConfig(loadConfigFile(path, profilerConfigSchema)),
  };
}
