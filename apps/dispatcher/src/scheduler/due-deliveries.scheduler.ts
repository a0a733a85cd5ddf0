import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EventPublisher } from '@onevoice/messaging';
import { DueWorkLoop } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { DeliverySender } from '../deliveries/delivery-sender';

export const DISPATCH_TICK_MS = Symbol('DispatchTickMs');

/** Sends scheduled deliveries when their window opens; the schedule is the deliveries table. */
@Injectable()
export class DueDeliveriesScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: DueWorkLoop;

  constructor(
    dataSource: DataSource,
    deliveries: DeliveriesRepository,
    sender: DeliverySender,
    publisher: EventPublisher,
    @Inject(DISPATCH_TICK_MS) tickMs: number,
  ) {
    this.loop = new DueWorkLoop(
      'DueDeliveriesScheduler',
      dataSource,
      publisher,
      async (tx, now) => {
        const row = await deliveries.due(tx, now);
        return row ? sender.send(tx, row, now) : undefined;
      },
      tickMs,
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
