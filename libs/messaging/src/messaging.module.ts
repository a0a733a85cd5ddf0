import { Global, Module, type DynamicModule } from '@nestjs/common';
import { EventPublisher } from './event-publisher';
import { KafkaConnection } from './kafka-connection';
import type { KafkaSettings } from './kafka-config';

/** Provides the process's `KafkaConnection` and the `EventPublisher` services inject. */
@Global()
@Module({})
export class MessagingModule {
  static forKafka(settings: KafkaSettings): DynamicModule {
    return MessagingModule.forConnection(new KafkaConnection(settings));
  }

  static forConnection(connection: KafkaConnection): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: KafkaConnection, useValue: connection },
        { provide: EventPublisher, useValue: connection.publisher },
      ],
      exports: [KafkaConnection, EventPublisher],
    };
  }
}
