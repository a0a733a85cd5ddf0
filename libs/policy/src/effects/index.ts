export * from './fulfilment';
export * from './priority-arbitration';
export * from './reminder-planning';
export * from './supersession';
export * from './interaction';
export * from './refusal';
export * from './outage-end';
