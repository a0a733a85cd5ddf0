// The behaviour profiler's pure steps: signals from events, inference from signals, what the
// customer said, and the profile the coordinator reads.
export * from './behaviour';
export * from './explicit-preferences';
export * from './profile-composer';
export * from './profiler-config';
export * from './signals';
