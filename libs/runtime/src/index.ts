export * from './bootstrap';
export * from './env';
export * from './http-errors';
export * from './readiness';
export * from './config-file';
export * from './http-route-tracing';
export * from './exception-filter';
export * from './intent-catalogue';
