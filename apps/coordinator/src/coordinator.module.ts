import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, idempotentConsumerProvider } from '@onevoice/persistence';
import { intentCatalogueProvider } from '@onevoice/runtime';
import type { CoordinatorEnv } from './config/env';
import { DecisionsConsumer } from './decisions/decisions.consumer';
import { DecisionsRepository } from './decisions/decisions.repository';
import { COORDINATOR_INBOX } from './decisions/decisions.tokens';
import { CoordinatorInit1763900000000 } from './migrations/1763900000000-CoordinatorInit';

@Module({})
export class CoordinatorModule {
  static forRoot(env: CoordinatorEnv): DynamicModule {
    return {
      module: CoordinatorModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          schema: 'coordinator',
          migrations: [CoordinatorInit1763900000000],
        }),
      ],
      controllers: [DecisionsConsumer],
      providers: [
        DecisionsRepository,
        intentCatalogueProvider(env.OV_INTENT_CATALOGUE),
        idempotentConsumerProvider(COORDINATOR_INBOX, 'coordinator'),
      ],
    };
  }
}
