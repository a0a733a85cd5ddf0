import { Module, type DynamicModule } from '@nestjs/common';
import { intentCatalogueSchema } from '@onevoice/contracts';
import { EventPublisher } from '@onevoice/messaging';
import { DatabaseModule, IdempotentConsumer } from '@onevoice/persistence';
import { loadConfigFile } from '@onevoice/runtime';
import { DataSource } from 'typeorm';
import type { CoordinatorEnv } from './config/env';
import { DecisionsConsumer } from './decisions/decisions.consumer';
import { DecisionsRepository } from './decisions/decisions.repository';
import { COORDINATOR_INBOX, INTENT_CATALOGUE } from './decisions/decisions.tokens';
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
        {
          provide: INTENT_CATALOGUE,
          useValue: loadConfigFile(env.OV_INTENT_CATALOGUE, intentCatalogueSchema),
        },
        {
          provide: COORDINATOR_INBOX,
          inject: [DataSource, EventPublisher],
          useFactory: (db: DataSource, publisher: EventPublisher) =>
            new IdempotentConsumer(db, publisher, 'coordinator'),
        },
      ],
    };
  }
}
