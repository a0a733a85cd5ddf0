export * from './database';
export * from './idempotent-consumer';
export * from './processed-messages';
export * from './database.module';
export * from './outbox';
export * from './failpoint';
export * from './due-work-loop';
