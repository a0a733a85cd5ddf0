import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from '@onevoice/persistence';
import type { BehaviourProfilerEnv } from './config/env';
import { BehaviourProfilerInit1763900000000 } from './migrations/1763900000000-BehaviourProfilerInit';

/**
 * The service shell of the behaviour profiler (DESIGN.md section 5; issue 4 builds it): its process, schema, health and Kafka
 * wiring. It consumes nothing yet.
 */
@Module({})
export class BehaviourProfilerModule {
  static forRoot(env: BehaviourProfilerEnv): DynamicModule {
    return {
      module: BehaviourProfilerModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          schema: 'behaviour_profiler',
          migrations: [BehaviourProfilerInit1763900000000],
        }),
      ],
    };
  }
}
