import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Clock } from '@onevoice/clock';
import { ERASURE_DONE, Topics, type ErasureEvent } from '@onevoice/contracts';
import { EventPublisher, type EventBatch } from '@onevoice/messaging';
import { ErasedCustomers, handleErasures } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import { ErasureService } from './erasure.service';

/** Erases what the profiler holds of a customer, and keeps every service's confirmation. */
@Controller()
export class ErasureConsumer {
  constructor(
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly erasures: ErasureService,
    private readonly guard: ErasedCustomers,
  ) {}

  @EventPattern(Topics.erasures)
  async onErasures(@Payload() batch: EventBatch<ErasureEvent>): Promise<void> {
    for (const { event } of batch.messages)
      if (event.type === ERASURE_DONE)
        await this.erasures.confirm(
          event.data.erasureId,
          event.data.service,
          new Date(event.time ?? this.clock.now()),
        );
    await handleErasures(
      batch,
      this.dataSource,
      this.publisher,
      this.erasures.eraser(),
      this.guard,
      () => this.clock.now(),
    );
  }
}
