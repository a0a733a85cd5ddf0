import { Injectable, Logger } from '@nestjs/common';
import { EventPublisher } from '@onevoice/messaging';
import { Outbox } from '@onevoice/persistence';
import { providerReport, type ProviderReport } from '@onevoice/policy';
import { DataSource } from 'typeorm';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { DeliverySender } from '../deliveries/delivery-sender';
import { DueDeliveriesScheduler } from '../scheduler/due-deliveries.scheduler';

/** What a provider later says became of a message: recorded, and published as a delivery event. */
@Injectable()
export class DeliveryStatusService {
  private readonly outbox: Outbox;
  private readonly logger = new Logger(DeliveryStatusService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly sender: DeliverySender,
    private readonly scheduler: DueDeliveriesScheduler,
    publisher: EventPublisher,
  ) {
    this.outbox = new Outbox(dataSource, publisher);
  }

  /**
   * Records a provider's report, if it moves the delivery on (see `providerReport`): 'unknown'
   * when no delivery has this key, 'ignored' (logged) when it would move it back.
   */
  async record(
    deliveryId: string,
    status: ProviderReport,
    now: Date,
  ): Promise<'recorded' | 'ignored' | 'unknown'> {
    const outcome = await this.dataSource.transaction(async (tx) => {
      const current = await this.deliveries.lockOne(tx, deliveryId);
      if (!current) return 'unknown' as const;
      const verdict = providerReport(current, status);
      if (!verdict.apply) {
        this.logger.warn({ msg: 'provider report ignored', deliveryId, status, why: verdict.why });
        return 'ignored' as const;
      }
      await this.deliveries.setProviderStatus(tx, deliveryId, status);
      // The row as locked serves the event and the fallback: what they read is not its state.
      await this.outbox.enqueue(tx, [
        this.sender.event(current, status, now),
        // It never reached the customer: the decision may allow the next channel.
        ...(status === 'delivered'
          ? []
          : await this.sender.fallBack(tx, current, now, `the provider reported it ${status}`)),
      ]);
      return 'recorded' as const;
    });
    if (outcome === 'recorded') {
      // Published behind the answer: the events are in the outbox, which the scheduler also
      // flushes, so a provider is not kept waiting on the broker (a minute when it is away).
      void this.sender.flush();
      this.scheduler.kick();
    }
    return outcome;
  }
}
