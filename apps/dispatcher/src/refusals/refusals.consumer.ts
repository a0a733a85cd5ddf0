import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch } from '@onevoice/messaging';
import { DataSource } from 'typeorm';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';

type ProfileEvent = TopicEvent<typeof Topics.profiles>;

/**
 * The dispatcher's own copy of what each customer refused, from the compacted profiles topic: the
 * sender checks it at the moment it calls a provider. Idempotent without an inbox: a profile
 * replaces the kept opt-outs only when its version is newer.
 */
@Controller()
export class RefusalsConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
  ) {}

  @EventPattern(Topics.profiles)
  async onProfiles(@Payload() batch: EventBatch<ProfileEvent>): Promise<void> {
    for (const { event } of batch.messages)
      await this.deliveries.keepOptOuts(
        this.dataSource.manager,
        event.subject,
        event.data.version,
        event.data.optOuts,
      );
  }
}
