import './zod-messages';
export * from './topics';
export * from './channels';
export * from './cloud-event';
export * from './department-events';
export * from './catalogue';
export * from './decisions';
export * from './deliveries';
export * from './topic-events';
