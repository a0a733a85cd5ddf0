import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { Logger } from '@nestjs/common';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Partitions of every OneVoice topic (docs/design.md §2). */
  partitions: number;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through the service's logger, so its lines are structured too. */
function kafkaLogCreator() {
  return ({ namespace, level, log }: LogEntry) => {
    const logger = new Logger(`kafkajs:${namespace}`);
    const { message, timestamp: _t, logger: _l, ...extra } = log;
    // Our idempotent producer bounds its retries on purpose (a caller must not wait forever);
    // duplicates a retry might still cause are absorbed by consumers' event-id idempotency.
    if (message.startsWith('Limiting retries for the idempotent producer')) return;
    // kafkajs logs every error response at error level, also the ones it handles itself
    // (a rebalance in progress, a coordinator still loading); what matters is logged by callers.
    const routine = namespace === 'Connection' && message.startsWith('Response ');
    const method = routine ? 'debug' : (LEVEL_NAMES[level] ?? 'debug');
    logger[method]({ msg: message, ...extra });
  };
}

export function createKafka(settings: KafkaSettings, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
    retry: { initialRetryTime: 200, retries: 8 },
    ...overrides,
  });
}
