import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  cloudEvent,
  deliveryEventType,
  Topics,
  type DeliveryData,
  type IntentCatalogue,
  type TopicEvent,
} from '@onevoice/contracts';
import { outbound, type EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { createHash } from 'node:crypto';
import { CHANNEL_ADAPTER, type ChannelAdapter } from '../channels/channel-adapter';
import { DeliveriesRepository } from './deliveries.repository';
import { DISPATCHER_INBOX } from './deliveries.tokens';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { renderTemplate } from './render';

type DecisionEvent = TopicEvent<typeof Topics.decisions>;

export const DELIVERY_SOURCE = 'onevoice/dispatcher';

@Controller()
export class DeliveriesConsumer {
  constructor(
    @Inject(DISPATCHER_INBOX) private readonly inbox: IdempotentConsumer,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    @Inject(CHANNEL_ADAPTER) private readonly adapter: ChannelAdapter,
    private readonly deliveries: DeliveriesRepository,
  ) {}

  /** Turns each approved decision into exactly one delivery; other outcomes send nothing. */
  @EventPattern(Topics.decisions)
  async onDecisions(@Payload() batch: EventBatch<DecisionEvent>): Promise<void> {
    await this.inbox.process(batch, async (tx, message) => {
      const decision = message.event;
      const d = decision.data;
      if (d.outcome !== 'approved' || !d.channel) return [];
      const template = this.catalogue.intents[d.intentType]?.template;
      const deliveryId = createHash('sha256')
        .update(`delivery:${d.decisionId}`)
        .digest('hex')
        .slice(0, 32);
      const subject = template
        ? renderTemplate(template.subject, d.variables, d.action)
        : d.intentType;
      const body = template
        ? renderTemplate(template.body, d.variables, d.action)
        : JSON.stringify(d.variables);
      const recorded = await this.deliveries.recordIfNew(tx, {
        deliveryId,
        decisionId: d.decisionId,
        customerId: decision.subject,
        channel: d.channel,
        provider: this.adapter.provider,
        subject,
        body,
      });
      if (!recorded) return [];
      const sent = await this.adapter.send({
        deliveryId,
        customerId: decision.subject,
        channel: d.channel,
        subject,
        body,
        idempotencyKey: deliveryId,
      });
      await this.deliveries.markSent(tx, deliveryId, sent.providerMessageId);
      const data: DeliveryData = {
        deliveryId,
        decisionId: d.decisionId,
        requestId: d.requestId,
        intentType: d.intentType,
        intentKey: d.intentKey,
        channel: d.channel,
        state: 'sent',
        provider: this.adapter.provider,
        attempt: 1,
      };
      return [
        outbound(
          Topics.deliveries,
          cloudEvent({
            id: `${deliveryId}:sent`,
            source: DELIVERY_SOURCE,
            type: deliveryEventType('sent'),
            subject: decision.subject,
            time: new Date(),
            data,
          }),
        ),
      ];
    });
  }
}
