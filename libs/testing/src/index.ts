export * from './department-events';
export * from './infrastructure';
export * from './otlp-collector';
export * from './paths';
export * from './service-process';
export * from './stack';
export * from './topic-tap';
export * from './wait';
