import { Module, type DynamicModule } from '@nestjs/common';
import { intentCatalogueSchema } from '@onevoice/contracts';
import { EventPublisher } from '@onevoice/messaging';
import { DatabaseModule, IdempotentConsumer } from '@onevoice/persistence';
import { loadConfigFile } from '@onevoice/runtime';
import { DataSource } from 'typeorm';
import { CaptureAdapter } from './channels/capture.adapter';
import { CHANNEL_ADAPTER } from './channels/channel-adapter';
import type { DispatcherEnv } from './config/env';
import { DeliveriesConsumer } from './deliveries/deliveries.consumer';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { DISPATCHER_INBOX, INTENT_CATALOGUE } from './deliveries/deliveries.tokens';
import { DispatcherInit1763900000000 } from './migrations/1763900000000-DispatcherInit';

@Module({})
export class DispatcherModule {
  static forRoot(env: DispatcherEnv): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          schema: 'dispatcher',
          migrations: [DispatcherInit1763900000000],
        }),
      ],
      controllers: [DeliveriesConsumer],
      providers: [
        DeliveriesRepository,
        { provide: CHANNEL_ADAPTER, useValue: new CaptureAdapter() },
        {
          provide: INTENT_CATALOGUE,
          useValue: loadConfigFile(env.OV_INTENT_CATALOGUE, intentCatalogueSchema),
        },
        {
          provide: DISPATCHER_INBOX,
          inject: [DataSource, EventPublisher],
          useFactory: (db: DataSource, publisher: EventPublisher) =>
            // A decision's id is unique across the system; its source is always the coordinator.
            new IdempotentConsumer(db, publisher, 'dispatcher', (e) => e.id),
        },
      ],
    };
  }
}
