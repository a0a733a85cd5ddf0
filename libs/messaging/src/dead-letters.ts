import { DeadLetterHeaders, Topics, type Rejection } from '@onevoice/contracts';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { Sender } from './resilient-producer';
import { deadLetteredMessages } from './messaging-metrics';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  message: KafkaMessage;
  consumer: string;
}

/**
 * Sends a message OneVoice could not accept to `ov.dlq.v1`: the original key, value bytes and
 * headers untouched, plus headers saying why, where it came from and which field was at fault.
 */
export class DeadLetterPublisher {
  constructor(private readonly producer: Sender) {}

  async send(
    sources: readonly { source: DeadLetterSource; rejection: Rejection }[],
  ): Promise<void> {
    if (sources.length === 0) return;
    await this.producer.send({
      topic: Topics.deadLetters,
      acks: -1,
      messages: sources.map(({ source, rejection }) => {
        const headers: IHeaders = {
          ...(source.message.headers ?? {}),
          [DeadLetterHeaders.reason]: rejection.reason.slice(0, 2000),
          [DeadLetterHeaders.sourceTopic]: source.topic,
          [DeadLetterHeaders.sourcePartition]: String(source.partition),
          [DeadLetterHeaders.sourceOffset]: source.message.offset,
          [DeadLetterHeaders.consumer]: source.consumer,
          // For the operator who reads the dead letter beside the logs and Kafka's timestamps: the
          // machine's time, not the service's clock (it decides nothing).
          // eslint-disable-next-line no-restricted-syntax
          [DeadLetterHeaders.failedAt]: new Date().toISOString(),
        };
        if (rejection.field) headers[DeadLetterHeaders.field] = rejection.field;
        return { key: source.message.key, value: source.message.value, headers };
      }),
    });
    for (const { source } of sources) deadLetteredMessages.add(1, { topic: source.topic });
  }
}
