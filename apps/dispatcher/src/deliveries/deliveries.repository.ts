import { Injectable } from '@nestjs/common';
import type { Channel } from '@onevoice/contracts';
import type { EntityManager } from 'typeorm';

export interface NewDelivery {
  deliveryId: string;
  decisionId: string;
  requestId: string;
  intentType: string;
  intentKey: string;
  customerId: string;
  channel: Channel;
  provider: string;
  subject: string;
  body: string;
  sendAfter: Date;
  sendBefore?: Date;
}

export interface DeliveryRow {
  delivery_id: string;
  decision_id: string;
  request_id: string;
  intent_type: string;
  intent_key: string;
  customer_id: string;
  channel: Channel;
  provider: string;
  subject: string;
  body: string;
  send_before: Date | null;
}

/** The dispatcher's deliveries; the only place that reads or writes them. */
@Injectable()
export class DeliveriesRepository {
  /** Records a delivery before any provider is called; false when the decision already has one. */
  async recordIfNew(tx: EntityManager, d: NewDelivery): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO deliveries (delivery_id, decision_id, request_id, intent_type, intent_key, customer_id, channel,
                               provider, state, subject, body, send_after, send_before)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'scheduled', $9, $10, $11, $12)
       ON CONFLICT (decision_id) DO NOTHING
       RETURNING delivery_id`,
      [
        d.deliveryId,
        d.decisionId,
        d.requestId,
        d.intentType,
        d.intentKey,
        d.customerId,
        d.channel,
        d.provider,
        d.subject,
        d.body,
        d.sendAfter,
        d.sendBefore ?? null,
      ],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Claims a scheduled delivery for sending (no other instance takes it meanwhile). */
  async claim(tx: EntityManager, deliveryId: string): Promise<DeliveryRow | undefined> {
    const rows = (await tx.query(
      `SELECT * FROM deliveries WHERE delivery_id = $1 AND state = 'scheduled' FOR UPDATE SKIP LOCKED`,
      [deliveryId],
    )) as DeliveryRow[];
    return rows[0];
  }

  async due(tx: EntityManager, now: Date): Promise<DeliveryRow | undefined> {
    const rows = (await tx.query(
      `SELECT * FROM deliveries WHERE state = 'scheduled' AND send_after <= $1 ORDER BY send_after LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [now],
    )) as DeliveryRow[];
    return rows[0];
  }

  async markSent(tx: EntityManager, deliveryId: string, providerMessageId: string): Promise<void> {
    await tx.query(
      `UPDATE deliveries SET state = 'sent', provider_message_id = $2, sent_at = now() WHERE delivery_id = $1`,
      [deliveryId, providerMessageId],
    );
  }

  async markExpired(tx: EntityManager, deliveryId: string): Promise<void> {
    await tx.query(`UPDATE deliveries SET state = 'expired' WHERE delivery_id = $1`, [deliveryId]);
  }

  /** Calls off the delivery of a decision that a later one replaced, if it has not gone out. */
  async cancelForDecision(tx: EntityManager, decisionId: string): Promise<number> {
    const result = (await tx.query(
      `UPDATE deliveries SET state = 'cancelled' WHERE decision_id = $1 AND state = 'scheduled'`,
      [decisionId],
    )) as [unknown, number];
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}
