import { Inject, Injectable } from '@nestjs/common';
import {
  cloudEvent,
  deliveryEventType,
  Topics,
  type DeliveryData,
  type DeliveryState,
} from '@onevoice/contracts';
import { outbound, type Outbound } from '@onevoice/messaging';
import type { EntityManager } from 'typeorm';
import { CHANNEL_ADAPTER, type ChannelAdapter } from '../channels/channel-adapter';
import { DeliveriesRepository, type DeliveryRow } from './deliveries.repository';

export const DELIVERY_SOURCE = 'onevoice/dispatcher';

/** Hands a recorded delivery to its channel's provider, and says so on ov.deliveries.v1. */
@Injectable()
export class DeliverySender {
  constructor(
    @Inject(CHANNEL_ADAPTER) private readonly adapter: ChannelAdapter,
    private readonly deliveries: DeliveriesRepository,
  ) {}

  /** Sends now, unless the send window has closed (then it expires, unsent). */
  async send(tx: EntityManager, row: DeliveryRow, now: Date): Promise<Outbound[]> {
    if (row.send_before && new Date(row.send_before).getTime() < now.getTime()) {
      await this.deliveries.markExpired(tx, row.delivery_id);
      return [this.event(row, 'failed', now, 'send window closed before it could go out')];
    }
    const sent = await this.adapter.send({
      deliveryId: row.delivery_id,
      customerId: row.customer_id,
      channel: row.channel,
      subject: row.subject,
      body: row.body,
      idempotencyKey: row.delivery_id,
    });
    await this.deliveries.markSent(tx, row.delivery_id, sent.providerMessageId);
    return [this.event(row, 'sent', now)];
  }

  event(row: DeliveryRow, state: DeliveryState, now: Date, detail?: string): Outbound {
    const data: DeliveryData = {
      deliveryId: row.delivery_id,
      decisionId: row.decision_id,
      requestId: row.request_id,
      intentType: row.intent_type,
      intentKey: row.intent_key,
      channel: row.channel,
      state,
      provider: this.adapter.provider,
      attempt: state === 'scheduled' ? 0 : 1,
      ...(detail ? { detail } : {}),
    };
    return outbound(
      Topics.deliveries,
      cloudEvent({
        id: `${row.delivery_id}:${state}`,
        source: DELIVERY_SOURCE,
        type: deliveryEventType(state),
        subject: row.customer_id,
        time: now,
        data,
      }),
    );
  }
}
