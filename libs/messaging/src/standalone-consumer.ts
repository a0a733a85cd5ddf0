import { Logger, Module, type LogLevel, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaBatchTransport, type KafkaBatchTransportOptions } from './kafka-batch.transport';
import { KafkaConnection } from './kafka-connection';
import { MessagingModule } from './messaging.module';
import type { KafkaSettings } from './kafka-config';
import { RpcErrorPassthroughFilter } from './rpc-error-passthrough.filter';

/**
 * A consumer without an HTTP server: a Nest microservice over the Kafka transport, for tools,
 * benchmarks and transport tests. Its controllers can inject the `EventPublisher`. Services use
 * `runService` from @onevoice/runtime instead.
 */
export async function startStandaloneConsumer(
  module: Type,
  settings: KafkaSettings,
  options: KafkaBatchTransportOptions,
  logLevels: LogLevel[] = ['error', 'warn'],
): Promise<{ connection: KafkaConnection; stop(): Promise<void> }> {
  const connection = new KafkaConnection(settings);
  Logger.overrideLogger(logLevels);
  @Module({ imports: [MessagingModule.forConnection(connection), module] })
  class StandaloneConsumerModule {}
  const app = await NestFactory.createMicroservice(StandaloneConsumerModule, {
    strategy: new KafkaBatchTransport(connection, options),
    logger: logLevels,
  });
  app.useGlobalFilters(new RpcErrorPassthroughFilter());
  await app.listen();
  return {
    connection,
    stop: async () => {
      await app.close();
      await connection.onApplicationShutdown();
    },
  };
}
