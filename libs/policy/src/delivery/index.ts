// The dispatcher's part of the gate: what happens after a failed call, and where a message falls back.
export * from './after-failure';
export * from './fallback';
export * from './provider-report';
export * from './refusal';
