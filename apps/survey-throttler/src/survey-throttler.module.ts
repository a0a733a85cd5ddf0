import { Module, type DynamicModule } from '@nestjs/common';
import { intentCatalogueSchema } from '@onevoice/contracts';
import {
  DatabaseModule,
  ErasureConsumer,
  idempotentConsumerProvider,
  ErasedCustomers,
  ErasedCustomers1764800000000,
} from '@onevoice/persistence';
import { surveyThrottlerEraser } from './erasure/customer-eraser';
import { INTENT_CATALOGUE, loadConfigFile, databasePool } from '@onevoice/runtime';
import type { SurveyThrottlerEnv } from './config/env';
import { surveyPolicyProvider } from './config/survey-policy.provider';
import { SurveyLedgerRepository } from './ledger/survey-ledger.repository';
import { SurveyThrottlerService } from './ledger/survey-throttler.service';
import { SurveyThrottlerInit1763900000000 } from './migrations/1763900000000-SurveyThrottlerInit';
import { SurveyLedger1764000000000 } from './migrations/1764000000000-SurveyLedger';
import { HeldSurveysScheduler, SURVEY_TICK_MS } from './scheduler/held-surveys.scheduler';
import { CustomerSignalsConsumer } from './signals/customer-signals.consumer';
import { THROTTLER_INBOX } from './survey-throttler.tokens';
import { SurveyRequestsConsumer } from './surveys/survey-requests.consumer';

/** The survey gate (docs/design.md §4): one survey, on one channel, at the right time. */
@Module({})
export class SurveyThrottlerModule {
  static forRoot(env: SurveyThrottlerEnv): DynamicModule {
    const catalogue = loadConfigFile(env.OV_INTENT_CATALOGUE, intentCatalogueSchema);
    return {
      module: SurveyThrottlerModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          pool: databasePool(env),
          schema: 'survey_throttler',
          migrations: [
            SurveyThrottlerInit1763900000000,
            SurveyLedger1764000000000,
            ErasedCustomers1764800000000,
          ],
        }),
      ],
      controllers: [SurveyRequestsConsumer, CustomerSignalsConsumer, ErasureConsumer],
      providers: [
        surveyThrottlerEraser,
        ErasedCustomers,
        SurveyLedgerRepository,
        SurveyThrottlerService,
        HeldSurveysScheduler,
        { provide: SURVEY_TICK_MS, useValue: env.OV_SURVEY_TICK_MS },
        { provide: INTENT_CATALOGUE, useValue: catalogue },
        surveyPolicyProvider(env.OV_SURVEY_POLICY, catalogue),
        idempotentConsumerProvider(THROTTLER_INBOX, 'survey-throttler'),
      ],
    };
  }
}
