import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  OPTIONAL_CATEGORIES,
  Topics,
  type IntentCatalogue,
  type TopicEvent,
} from '@onevoice/contracts';
import { injectTraceContext, type EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { customerLinks, trackingLinks } from '@onevoice/links';
import { createHash } from 'node:crypto';
import { CHANNEL_ADAPTERS, type ChannelAdapters } from '../channels/channel-adapter';
import { DueDeliveriesScheduler } from '../scheduler/due-deliveries.scheduler';
import { DeliveriesRepository, type DeliveryRow, type NewDelivery } from './deliveries.repository';
import { DISPATCHER_INBOX, DISPATCHER_LINKS, type DispatcherLinks } from './deliveries.tokens';
import { DeliverySender } from './delivery-sender';
import { composeDigest, renderTemplate, withPreferenceLinks, type Rendered } from './render';

type DecisionEvent = TopicEvent<typeof Topics.decisions>;

/**
 * Turns each approved decision into exactly one delivery: sent at once when its window is open,
 * otherwise scheduled in Postgres for when it opens. A decision that replaces an earlier one
 * (moved back, called off, superseded) calls off the earlier delivery if it has not gone out.
 */
@Controller()
export class DeliveriesConsumer {
  constructor(
    @Inject(DISPATCHER_INBOX) private readonly inbox: IdempotentConsumer,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    @Inject(CHANNEL_ADAPTERS) private readonly adapters: ChannelAdapters,
    private readonly deliveries: DeliveriesRepository,
    private readonly sender: DeliverySender,
    private readonly scheduler: DueDeliveriesScheduler,
    @Inject(DISPATCHER_LINKS) private readonly links: DispatcherLinks,
  ) {}

  @EventPattern(Topics.decisions)
  async onDecisions(@Payload() batch: EventBatch<DecisionEvent>): Promise<void> {
    // A batch's deliveries are recorded together, in one statement, when its work is done.
    const recording: NewDelivery[] = [];
    const replaced: string[] = [];
    await this.inbox.process(
      batch,
      (_tx, message) => {
        const decision = message.event;
        const d = decision.data;
        if (d.replaces) replaced.push(d.replaces);
        if (d.outcome !== 'approved' || !d.channel) return Promise.resolve([]);
        const now = new Date();
        const links = customerLinks(this.links, decision.subject, d.category, now);
        const { traceparent } = injectTraceContext();
        // An email's action leads through a redirect that records the click; an image records the open.
        const tracking =
          d.channel === 'email' && this.links.trackingBaseUrl
            ? trackingLinks(
                { ...this.links, baseUrl: this.links.trackingBaseUrl },
                decision.subject,
                d.decisionId,
                d.action.url,
                now,
              )
            : undefined;
        const action = tracking?.click ? { ...d.action, url: tracking.click } : d.action;
        const rendered = withPreferenceLinks(
          composeDigest(
            this.render(d.intentType, d.variables, action),
            (d.merged ?? []).map((m) => this.render(m.intentType, m.variables, m.action)),
          ),
          links,
          d.channel,
          d.category,
        );
        const delivery: NewDelivery = {
          deliveryId: createHash('sha256')
            .update(`delivery:${d.decisionId}`)
            .digest('hex')
            .slice(0, 32),
          decisionId: d.decisionId,
          requestId: d.requestId,
          intentType: d.intentType,
          intentKey: d.intentKey,
          customerId: decision.subject,
          channel: d.channel,
          provider: this.adapters.for(d.channel).provider,
          subject: rendered.subject,
          body: rendered.body,
          sendAfter: d.sendAfter ? new Date(d.sendAfter) : now,
          ...(d.sendBefore ? { sendBefore: new Date(d.sendBefore) } : {}),
          ...((OPTIONAL_CATEGORIES as readonly string[]).includes(d.category)
            ? { listUnsubscribe: links.unsubscribe }
            : {}),
          ...(tracking ? { trackingPixel: tracking.open } : {}),
          // Inside this message's span: the provider call, later, continues its trace.
          ...(traceparent ? { traceparent } : {}),
        };
        recording.push(delivery);
        // Recorded with the batch; the sender calls the provider once it commits (kicked below).
        // A decision seen before keeps its first delivery (its event id is the same again).
        return Promise.resolve(
          delivery.sendAfter.getTime() > now.getTime()
            ? [this.sender.event(scheduledRow(delivery), 'scheduled', now)]
            : [],
        );
      },
      batch.messages,
      {
        finish: async (tx) => {
          await this.deliveries.recordMany(tx, recording);
          // After the inserts: a replacement may arrive in the same batch as what it replaces.
          for (const id of replaced) await this.deliveries.cancelForDecision(tx, id);
        },
      },
    );
    this.scheduler.kick();
  }

  private render(
    intentType: string,
    variables: Record<string, unknown>,
    action: { url?: string; replyKeyword?: string },
  ): Rendered {
    const template = this.catalogue.intents[intentType]?.template;
    return template
      ? {
          subject: renderTemplate(template.subject, variables, action),
          body: renderTemplate(template.body, variables, action),
        }
      : { subject: intentType, body: JSON.stringify(variables) };
  }
}

/** What a delivery event needs of a delivery not yet read back from the table. */
function scheduledRow(d: NewDelivery): DeliveryRow {
  return {
    delivery_id: d.deliveryId,
    decision_id: d.decisionId,
    request_id: d.requestId,
    intent_type: d.intentType,
    intent_key: d.intentKey,
    customer_id: d.customerId,
    channel: d.channel,
    provider: d.provider,
    subject: d.subject,
    body: d.body,
    send_before: d.sendBefore ?? null,
    attempts: 0,
    list_unsubscribe: d.listUnsubscribe ?? null,
    traceparent: d.traceparent ?? null,
    tracking_pixel: d.trackingPixel ?? null,
  };
}
