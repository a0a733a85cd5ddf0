import type { Provider } from '@nestjs/common';
import type { IntentCatalogue } from '@onevoice/contracts';
import { ConfigError, loadConfigFile } from '@onevoice/runtime';
import { compileSurveyPolicy, surveyPolicyConfigSchema, type SurveyPolicy } from '@onevoice/policy';

export const SURVEY_POLICY = Symbol('SurveyPolicy');

/**
 * Loads the survey policy at start-up and checks it against the intent catalogue: every survey
 * type goes out as a catalogued intent of category survey. A bad file stops the service.
 */
export function loadSurveyPolicy(path: string, catalogue: IntentCatalogue): SurveyPolicy {
  const policy = compileSurveyPolicy(loadConfigFile(path, surveyPolicyConfigSchema));
  const problems = Object.entries(policy.types).flatMap(([type, t]) => {
    const intent = catalogue.intents[t.intent];
    if (!intent)
      return [
        `  surveys.${type}.intent: "${t.intent}" is not in intent catalogue ${catalogue.version}`,
      ];
    if (intent.category !== 'survey')
      return [
        `  surveys.${type}.intent: "${t.intent}" is a ${intent.category} intent, not a survey`,
      ];
    return [];
  });
  if (problems.length > 0)
    throw new ConfigError(`invalid survey policy ${path}:\n${problems.join('\n')}`);
  return policy;
}

export function surveyPolicyProvider(
  path: string,
  catalogue: IntentCatalogue,
): Provider<SurveyPolicy> {
  return { provide: SURVEY_POLICY, useValue: loadSurveyPolicy(path, catalogue) };
}
