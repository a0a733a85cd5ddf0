import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { EventPublisher } from './event-publisher';
import { KafkaConnection } from './kafka-connection';
import type { KafkaSettings } from './kafka-config';
import { MessageBus } from './message-bus';

/**
 * Provides the process's `MessageBus` (and, over Kafka, its `KafkaConnection`) and the
 * `EventPublisher` services inject.
 */
@Global()
@Module({})
export class MessagingModule {
  static forKafka(settings: KafkaSettings): DynamicModule {
    return MessagingModule.forConnection(new KafkaConnection(settings));
  }

  static forConnection(bus: MessageBus): DynamicModule {
    const providers: Provider[] = [
      { provide: MessageBus, useValue: bus },
      { provide: EventPublisher, useValue: bus.publisher },
    ];
    if (bus instanceof KafkaConnection) providers.push({ provide: KafkaConnection, useValue: bus });
    return {
      module: MessagingModule,
      providers,
      exports: providers.map((p) => (p as { provide: unknown }).provide as typeof MessageBus),
    };
  }
}
