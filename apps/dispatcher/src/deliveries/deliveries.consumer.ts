import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import { EventPublisher, injectTraceContext, type EventBatch } from '@onevoice/messaging';
import { ErasedCustomers } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import { DueDeliveriesScheduler } from '../scheduler/due-deliveries.scheduler';
import {
  DeliveriesRepository,
  rowOf,
  type DeliveryRow,
  type NewDelivery,
} from './deliveries.repository';
import { GATE_SOURCES } from './deliveries.tokens';
import { DeliveryComposer } from './delivery-composer';
import { DeliverySender } from './delivery-sender';
import { Clock } from '@onevoice/clock';

type DecisionEvent = TopicEvent<typeof Topics.decisions>;

/**
 * Turns each approved decision into exactly one delivery: sent at once when its window is open,
 * otherwise scheduled in Postgres for when it opens. A decision that replaces an earlier one
 * (moved back, called off, superseded) calls off the earlier delivery if it has not gone out.
 *
 * The deliveries table is this consumer's inbox: a delivery's id is its decision's, so a
 * decision seen again (a redelivered batch) finds its delivery recorded and changes nothing; the
 * "scheduled" event of one still waiting is published again (same event id, consumers dedupe),
 * in case the first publish was lost with the process.
 */
@Controller()
export class DeliveriesConsumer {
  constructor(
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly composer: DeliveryComposer,
    private readonly deliveries: DeliveriesRepository,
    private readonly sender: DeliverySender,
    private readonly scheduler: DueDeliveriesScheduler,
    @Inject(GATE_SOURCES) private readonly gateSources: ReadonlySet<string>,
    private readonly erased: ErasedCustomers,
  ) {}

  @EventPattern(Topics.decisions)
  async onDecisions(@Payload() batch: EventBatch<DecisionEvent>): Promise<void> {
    const recording: NewDelivery[] = [];
    const replaced: { decisionId: string; by: string }[] = [];
    const inBatch = new Set<string>();
    // A decision about a customer erased since it was made is not carried out.
    for (const message of this.erased.without(batch.messages, (m) => m.event.subject)) {
      const { source, data } = message.event;
      // Only the gate makes the dispatcher send (or call off): anyone else who can write to the
      // topic is refused, with the message kept in the dead-letter topic.
      if ((data.outcome === 'approved' || data.replaces) && !this.gateSources.has(source)) {
        batch.reject(message, {
          field: 'source',
          reason: `source "${source}" is not a gate (OV_GATE_SOURCES): its decisions are not carried out`,
        });
        continue;
      }
      await batch.trace(message, () => {
        const delivery = this.deliveryFor(message.event);
        if (data.replaces) replaced.push({ decisionId: data.replaces, by: data.decisionId });
        // The same decision twice in one batch is one delivery.
        if (delivery && !inBatch.has(delivery.deliveryId)) {
          inBatch.add(delivery.deliveryId);
          recording.push(delivery);
        }
        return Promise.resolve();
      });
    }
    if (recording.length === 0 && replaced.length === 0) return;

    const now = this.clock.now();
    // Due now: recorded claimed, and handed to the sender once this commits (no second trip).
    let room = this.sender.handOverRoom(now);
    for (const d of recording)
      if (
        room > 0 &&
        d.sendAfter.getTime() <= now.getTime() &&
        (!d.sendBefore || d.sendBefore.getTime() > now.getTime()) &&
        this.sender.providerOpen(d.provider, now)
      ) {
        d.claimedAt = now;
        room--;
      }
    // One statement each, no transaction: the inserts are atomic on their own, and a batch seen
    // again repeats the cancellations harmlessly.
    const db = this.dataSource.manager;
    const recorded = await this.deliveries.recordMany(db, recording);
    // After the inserts: a replacement may arrive in the same batch as what it replaces.
    const calledOff: DeliveryRow[][] = [];
    for (const { decisionId } of replaced)
      calledOff.push(await this.deliveries.cancelForDecision(db, decisionId));
    const seenBefore = recording.filter((d) => !recorded.has(d.deliveryId));
    const waiting =
      seenBefore.length > 0
        ? await this.deliveries.stillScheduled(
            db,
            seenBefore.map((d) => d.deliveryId),
          )
        : new Set<string>();
    const claimed = recording.filter((d) => recorded.get(d.deliveryId) === 'sending');
    if (claimed.length > 0)
      this.sender.handOver(
        claimed.map((d) => ({ ...rowOf(d), attempts: 1 })),
        now,
      );
    // A send not claimed now is announced (again, for one seen before: same event id): held for
    // its window, waiting for a provider whose circuit is open, or behind a backlog. Without it, a
    // delivery waiting for its provider would be on no timeline.
    const scheduled = recording.filter(
      (d) => recorded.get(d.deliveryId) === 'scheduled' || waiting.has(d.deliveryId),
    );
    if (scheduled.length > 0)
      await this.publisher.publish(
        scheduled.map((d) =>
          this.sender.event(
            rowOf(d),
            'scheduled',
            now,
            d.sendAfter.getTime() <= now.getTime() && !this.sender.providerOpen(d.provider, now)
              ? `waiting: ${d.provider} is failing (its circuit is open); tried again once it closes`
              : undefined,
            d.traceparent ? { traceparent: d.traceparent } : undefined,
          ),
        ),
      );
    // Each called off is announced (after its `scheduled`, when both came in this batch), saying
    // what replaced it: the timeline shows the text that waited for the morning as called off.
    const cancelled = replaced.flatMap(({ by }, i) =>
      calledOff[i]!.map((row) =>
        this.sender.event(row, 'cancelled', now, `called off: decision ${by} replaces it`),
      ),
    );
    if (cancelled.length > 0) await this.publisher.publish(cancelled);
    this.scheduler.kick();
  }

  /** The delivery an approved decision asks for (none for any other outcome). */
  private deliveryFor(decision: DecisionEvent): NewDelivery | undefined {
    const d = decision.data;
    if (d.outcome !== 'approved' || !d.channel) return undefined;
    const now = this.clock.now();
    const { traceparent } = injectTraceContext();
    return this.composer.compose(
      {
        decisionId: d.decisionId,
        requestId: d.requestId,
        intentType: d.intentType,
        intentKey: d.intentKey,
        category: d.category,
        urgency: d.urgency,
        customerId: decision.subject,
        variables: d.variables,
        action: d.action,
        ...(d.merged?.length ? { merged: d.merged } : {}),
      },
      d.channel,
      {
        sendAfter: d.sendAfter ? new Date(d.sendAfter) : now,
        ...(d.sendBefore ? { sendBefore: new Date(d.sendBefore) } : {}),
      },
      now,
      {
        ...(d.fallback ? { fallback: d.fallback } : {}),
        // Inside this message's span: the provider call, later, continues its trace.
        ...(traceparent ? { traceparent } : {}),
      },
    );
  }
}
