import { Injectable } from '@nestjs/common';
import type { Channel } from '@onevoice/contracts';
import type { EntityManager } from 'typeorm';

export interface NewDelivery {
  deliveryId: string;
  decisionId: string;
  customerId: string;
  channel: Channel;
  provider: string;
  subject: string;
  body: string;
}

/** The dispatcher's deliveries; the only place that writes them. */
@Injectable()
export class DeliveriesRepository {
  /** Records a delivery before any provider is called; false when the decision already has one. */
  async recordIfNew(tx: EntityManager, d: NewDelivery): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO deliveries (delivery_id, decision_id, customer_id, channel, provider, state, subject, body)
       VALUES ($1, $2, $3, $4, $5, 'recorded', $6, $7)
       ON CONFLICT (decision_id) DO NOTHING
       RETURNING delivery_id`,
      [d.deliveryId, d.decisionId, d.customerId, d.channel, d.provider, d.subject, d.body],
    )) as unknown[];
    return rows.length === 1;
  }

  async markSent(tx: EntityManager, deliveryId: string, providerMessageId: string): Promise<void> {
    await tx.query(
      `UPDATE deliveries SET state = 'sent', provider_message_id = $2, sent_at = now() WHERE delivery_id = $1`,
      [deliveryId, providerMessageId],
    );
  }
}
