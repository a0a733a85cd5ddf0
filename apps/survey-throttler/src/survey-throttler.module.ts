import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from '@onevoice/persistence';
import type { SurveyThrottlerEnv } from './config/env';
import { SurveyThrottlerInit1763900000000 } from './migrations/1763900000000-SurveyThrottlerInit';

/**
 * The service shell of the survey throttler (DESIGN.md section 4; issue 6 builds it): its process, schema, health and Kafka
 * wiring. It consumes nothing yet.
 */
@Module({})
export class SurveyThrottlerModule {
  static forRoot(env: SurveyThrottlerEnv): DynamicModule {
    return {
      module: SurveyThrottlerModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          schema: 'survey_throttler',
          migrations: [SurveyThrottlerInit1763900000000],
        }),
      ],
    };
  }
}
