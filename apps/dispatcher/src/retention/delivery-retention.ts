import type { Provider } from '@nestjs/common';
import { retentionProvider } from '@onevoice/persistence';

/** States after which a delivery says nothing more that needs its words. */
const SETTLED = `('sent', 'delivered', 'failed', 'bounced', 'expired', 'cancelled', 'opened', 'clicked', 'replied')`;

/**
 * Settled deliveries forget what they said (subject, body, rendered content) after
 * `OV_DELIVERY_RETENTION`; their states, channel and times stay for the timeline and the metrics.
 * Their age is by the times the service's clock wrote (sent, or due), never `created_at`, which
 * is the database's: a clock moved on must not make a delivery just recorded look old.
 */
export function deliveryRetention(settings: { retentionMs: number; passMs: number }): Provider {
  return retentionProvider('DeliveryRetention', settings, [
    {
      what: 'deliveries (subject, body, content)',
      sql: `UPDATE deliveries SET subject = '', body = '', content = NULL
                   WHERE delivery_id IN (
                     SELECT delivery_id FROM deliveries
                      WHERE state IN ${SETTLED} AND coalesce(sent_at, send_after) < $1
                        AND (body <> '' OR subject <> '' OR content IS NOT NULL)
                      LIMIT $2)`,
    },
  ]);
}
