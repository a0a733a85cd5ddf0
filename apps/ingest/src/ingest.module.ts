import { Module, type DynamicModule } from '@nestjs/common';
import {
  DatabaseModule,
  ErasureConsumer,
  idempotentConsumerProvider,
  ErasedCustomers,
  ErasedCustomers1764800000000,
} from '@onevoice/persistence';
import { ingestEraser } from './erasure/customer-eraser';
import { intentCatalogueProvider, permissionsProvider, databasePool } from '@onevoice/runtime';
import type { IngestEnv } from './config/env';
import { DepartmentCredentials } from './events/credentials';
import { EventsConsumer } from './events/events.consumer';
import { EventsController } from './events/events.controller';
import { INGEST_INBOX, PUBLISH_DEADLINE_MS, VALIDATION_OPTIONS } from './events/events.tokens';
import { IngestInit1763900000000 } from './migrations/1763900000000-IngestInit';

@Module({})
export class IngestModule {
  static forRoot(env: IngestEnv): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          pool: databasePool(env),
          schema: 'ingest',
          migrations: [IngestInit1763900000000, ErasedCustomers1764800000000],
        }),
      ],
      controllers: [EventsController, EventsConsumer, ErasureConsumer],
      providers: [
        ingestEraser,
        ErasedCustomers,
        intentCatalogueProvider(env.OV_INTENT_CATALOGUE),
        permissionsProvider(env.OV_PERMISSIONS),
        {
          provide: DepartmentCredentials,
          useValue: new DepartmentCredentials(env.departmentTokens),
        },
        idempotentConsumerProvider(INGEST_INBOX, 'ingest'),
        { provide: PUBLISH_DEADLINE_MS, useValue: env.OV_HTTP_PUBLISH_TIMEOUT_MS },
        { provide: VALIDATION_OPTIONS, useValue: { httpActions: env.OV_ALLOW_HTTP_ACTION_URLS } },
      ],
    };
  }
}
