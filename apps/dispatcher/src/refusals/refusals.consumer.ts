import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch } from '@onevoice/messaging';
import { ErasedCustomers } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import { Clock } from '@onevoice/clock';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { KeywordReplies } from '../feedback/keyword-replies';
import { DueDeliveriesScheduler } from '../scheduler/due-deliveries.scheduler';

type ProfileEvent = TopicEvent<typeof Topics.profiles>;

/**
 * The dispatcher's own copy of what each customer refused, from the compacted profiles topic: the
 * sender checks it at the moment it calls a provider, and the answer to a STOP or START waits for
 * it. Idempotent without an inbox: a profile replaces the kept opt-outs only when its version is
 * newer.
 */
@Controller()
export class RefusalsConsumer {
  constructor(
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly scheduler: DueDeliveriesScheduler,
    private readonly replies: KeywordReplies,
    private readonly erased: ErasedCustomers,
  ) {}

  @EventPattern(Topics.profiles)
  async onProfiles(@Payload() batch: EventBatch<ProfileEvent>): Promise<void> {
    const events = this.erased.without(batch.messages, (m) => m.event.subject).map((m) => m.event);
    await this.deliveries.keepOptOuts(
      this.dataSource.manager,
      events.map((e) => ({
        customerId: e.subject,
        version: e.data.version,
        optOuts: e.data.optOuts,
        ...(e.data.doNotDisturbUntil ? { doNotDisturbUntil: e.data.doNotDisturbUntil } : {}),
      })),
    );
    // The answers to the customers' STOP (or START) go once the change is recorded.
    const released = await this.replies.release(
      [...new Set(events.map((e) => e.subject))],
      this.clock.now(),
    );
    if (released > 0) this.scheduler.kick();
  }
}
