import { Module, type DynamicModule } from '@nestjs/common';
import { intentCatalogueSchema } from '@onevoice/contracts';
import { EventPublisher } from '@onevoice/messaging';
import { DatabaseModule, IdempotentConsumer } from '@onevoice/persistence';
import { loadConfigFile } from '@onevoice/runtime';
import { DataSource } from 'typeorm';
import type { IngestEnv } from './config/env';
import { DepartmentCredentials } from './events/credentials';
import { EventsConsumer } from './events/events.consumer';
import { EventsController } from './events/events.controller';
import { INGEST_INBOX, INTENT_CATALOGUE } from './events/events.tokens';
import { IngestInit1763900000000 } from './migrations/1763900000000-IngestInit';

@Module({})
export class IngestModule {
  static forRoot(env: IngestEnv): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          schema: 'ingest',
          migrations: [IngestInit1763900000000],
        }),
      ],
      controllers: [EventsController, EventsConsumer],
      providers: [
        {
          provide: INTENT_CATALOGUE,
          useValue: loadConfigFile(env.OV_INTENT_CATALOGUE, intentCatalogueSchema),
        },
        {
          provide: DepartmentCredentials,
          useValue: new DepartmentCredentials(env.departmentTokens),
        },
        {
          provide: INGEST_INBOX,
          inject: [DataSource, EventPublisher],
          useFactory: (db: DataSource, publisher: EventPublisher) =>
            new IdempotentConsumer(db, publisher, 'ingest'),
        },
      ],
    };
  }
}
