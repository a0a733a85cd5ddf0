import './instrument';
import { main, runService } from '@onevoice/runtime';
import { loadSurveyThrottlerEnv } from './config/env';
import { SurveyThrottlerModule } from './survey-throttler.module';

main(async () => {
  const env = loadSurveyThrottlerEnv();
  return runService({ name: 'survey-throttler', module: SurveyThrottlerModule.forRoot(env), env });
}, 'survey-throttler');
