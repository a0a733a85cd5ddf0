// The survey gate (rule 13): its own ledger and policy, the same kind of pure step as the engine.
export type { Contact, SurveyLedger, SurveyRecord, SurveyVerdict } from './model';
export { gateSurveys } from './survey-gate';
export * from './survey-policy';
