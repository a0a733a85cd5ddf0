// @ts-check
/**
 * The integration specs that run over Kafka and a Postgres server only, with why: each is about
 * Kafka itself (consumer groups shared by several instances, a second team's Kafka client, the
 * broker's traces), starts service processes of its own beside the stack, or needs a Postgres
 * server's own features (a database of its own, concurrent sessions). Every other spec runs in both modes; the embedded
 * mode has its own crash test (apps/onevoice/test).
 * @type {Record<string, string>}
 */
module.exports = {
  'apps/coordinator/test/redelivery-after-crash.spec.ts':
    'a coordinator of its own in the Kafka consumer group, killed and restarted (embedded: apps/onevoice/test/crash-and-restart.spec.ts)',
  'apps/coordinator/test/one-request-two-transactions.spec.ts':
    'two transactions at once on two connections, one waiting for the other’s lock: PGlite is one session',
  'apps/dispatcher/test/send-priority.spec.ts':
    'a database of its own on the Postgres server: the embedded Postgres serves one',
  'apps/coordinator/test/second-instance-and-clean-shutdown.spec.ts':
    'two coordinator instances share partitions through a Kafka consumer group',
  'apps/dispatcher/test/crash-between-announce-and-record.spec.ts':
    'a dispatcher process of its own in a Kafka consumer group, killed at a failpoint',
  'apps/dispatcher/test/crash-between-record-and-send.spec.ts':
    'a dispatcher process of its own in a Kafka consumer group, killed at a failpoint',
  'apps/dispatcher/test/email-over-smtp.spec.ts':
    'a dispatcher process of its own, configured with an SMTP server, in a Kafka consumer group',
  'apps/dispatcher/test/one-trace-across-kafka.spec.ts':
    'one trace across five processes and the Kafka broker',
  'apps/ingest/test/dead-letter-redrive.spec.ts': 'npm run dlq redrives through Kafka',
  'apps/ingest/test/walking-skeleton-over-kcat.spec.ts': "another team's Kafka client (kcat)",
  'apps/survey-throttler/test/survey-gate-through-kafka.spec.ts':
    'a survey throttler process of its own in a Kafka consumer group',
  'libs/messaging/test/failing-handlers.spec.ts': 'the Kafka transport itself',
  'libs/messaging/test/one-partition-count.spec.ts': 'the Kafka topics’ partition counts',
  'libs/messaging/test/rebalance-drains-in-flight-work.spec.ts': 'Kafka consumer-group rebalances',
  'libs/messaging/test/skipped-sources.spec.ts': 'the Kafka transport itself',
};
