export * from './duration';
export * from './engine';
export * from './model';
export * from './policy-config';
export * from './zoned-time';
export { priorityOf } from './context';
export * from './effects';
