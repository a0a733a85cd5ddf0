import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, idempotentConsumerProvider } from '@onevoice/persistence';
import { durationMs } from '@onevoice/policy';
import { intentCatalogueProvider } from '@onevoice/runtime';
import { CaptureAdapter } from './channels/capture.adapter';
import { CHANNEL_ADAPTER } from './channels/channel-adapter';
import type { DispatcherEnv } from './config/env';
import { DeliveriesConsumer } from './deliveries/deliveries.consumer';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { DISPATCHER_INBOX, DISPATCHER_LINKS } from './deliveries/deliveries.tokens';
import { DispatcherInit1763900000000 } from './migrations/1763900000000-DispatcherInit';
import { DispatcherSchedule1763910000000 } from './migrations/1763910000000-DispatcherSchedule';
import { DeliverySender } from './deliveries/delivery-sender';
import { DISPATCH_TICK_MS, DueDeliveriesScheduler } from './scheduler/due-deliveries.scheduler';

@Module({})
export class DispatcherModule {
  static forRoot(env: DispatcherEnv): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          schema: 'dispatcher',
          migrations: [DispatcherInit1763900000000, DispatcherSchedule1763910000000],
        }),
      ],
      controllers: [DeliveriesConsumer],
      providers: [
        DeliveriesRepository,
        DeliverySender,
        DueDeliveriesScheduler,
        { provide: DISPATCH_TICK_MS, useValue: env.OV_DISPATCH_TICK_MS },
        {
          provide: DISPATCHER_LINKS,
          useValue: {
            secret: env.linkSecret,
            baseUrl: env.OV_PREFERENCE_CENTRE_URL,
            lifetimeMs: durationMs(env.OV_LINK_LIFETIME),
          },
        },
        { provide: CHANNEL_ADAPTER, useValue: new CaptureAdapter() },
        intentCatalogueProvider(env.OV_INTENT_CATALOGUE),
        // A decision's id is unique across the system; its source is always the coordinator.
        idempotentConsumerProvider(DISPATCHER_INBOX, 'dispatcher', (e) => e.id),
      ],
    };
  }
}
