import { serviceMeter } from '@onevoice/observability';

const meter = serviceMeter('@onevoice/messaging');

/** Events published and acknowledged by the broker, by topic and CloudEvent type. */
export const publishedMessages = meter.createCounter('onevoice.messages.published', {
  description: 'Events published and acknowledged by the broker, by topic and CloudEvent type',
});

/**
 * Messages read by this service's consumer, by topic and what became of them: handled,
 * dead_lettered (to ov.dlq.v1, with the reason) or skipped (a source the handler passes over).
 */
export const consumedMessages = meter.createCounter('onevoice.messages.consumed', {
  description:
    'Messages read by the consumer, by topic and outcome (handled, dead_lettered, skipped)',
});

/** Messages sent to ov.dlq.v1, by the topic they came from. */
export const deadLetteredMessages = meter.createCounter('onevoice.messages.dead_lettered', {
  description: 'Messages sent to ov.dlq.v1, by the topic they were read from',
});

/**
 * The consumer's lag, read when Prometheus scrapes: for each partition this instance owns, the
 * messages between its group's committed offset and the end of the log.
 */
export const consumerLag = meter.createObservableGauge('onevoice.consumer.lag', {
  description:
    "Messages between the consumer group's committed offset and the end of the log, per partition this instance owns",
});
