import { Injectable } from '@nestjs/common';
import { EventPublisher } from '@onevoice/messaging';
import { Outbox } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { DeliverySender } from '../deliveries/delivery-sender';
import { DueDeliveriesScheduler } from '../scheduler/due-deliveries.scheduler';

/** What a provider later says became of a message: recorded, and published as a delivery event. */
@Injectable()
export class DeliveryStatusService {
  private readonly outbox: Outbox;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly sender: DeliverySender,
    private readonly scheduler: DueDeliveriesScheduler,
    publisher: EventPublisher,
  ) {
    this.outbox = new Outbox(dataSource, publisher);
  }

  /** False when no delivery has this key. */
  async record(
    deliveryId: string,
    status: 'delivered' | 'failed' | 'bounced',
    now: Date,
  ): Promise<boolean> {
    const found = await this.dataSource.transaction(async (tx) => {
      const row = await this.deliveries.setProviderStatus(tx, deliveryId, status);
      if (!row) return false;
      await this.outbox.enqueue(tx, [
        this.sender.event(row, status, now),
        // It never reached the customer: the decision may allow the next channel.
        ...(status === 'delivered'
          ? []
          : await this.sender.fallBack(tx, row, now, `the provider reported it ${status}`)),
      ]);
      return true;
    });
    if (found) {
      // Published behind the answer: the events are in the outbox, which the scheduler also
      // flushes, so a provider is not kept waiting on the broker (a minute when it is away).
      void this.sender.flush();
      this.scheduler.kick();
    }
    return found;
  }
}
