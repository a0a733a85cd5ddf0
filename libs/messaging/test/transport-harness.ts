import { Controller, Module } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import { EventBatch, startStandaloneConsumer, type HandlerExtras } from '../src';

export type Interaction = TopicEvent<typeof Topics.interactions>;
export type BatchHandler = (batch: EventBatch<Interaction>) => Promise<void>;

/** One consuming instance of a test service: the real transport, a handler the spec supplies. */
export async function startConsumer(
  brokers: string[],
  groupId: string,
  handler: BatchHandler,
  extras: HandlerExtras = {},
): Promise<{ stop(): Promise<void> }> {
  @Controller()
  class InteractionsConsumer {
    @EventPattern(Topics.interactions, extras)
    handle(@Payload() batch: EventBatch<Interaction>): Promise<void> {
      return handler(batch);
    }
  }
  @Module({ controllers: [InteractionsConsumer] })
  class ConsumerModule {}

  return startStandaloneConsumer(
    ConsumerModule,
    { brokers, clientId: groupId, partitions: 6 },
    { groupId, sessionTimeoutMs: 10_000 },
    ['error'],
  );
}

export function inboundContact(customerId: string, n: number) {
  return {
    specversion: '1.0',
    id: `${customerId}-${n}`,
    source: 'care',
    type: 'interaction.inbound_contact',
    subject: customerId,
    time: new Date().toISOString(),
    data: { channel: 'chat', reason: `message ${n}` },
  };
}
