import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EventPublisher } from '@onevoice/messaging';
import { Outbox } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { DeliverySender } from '../deliveries/delivery-sender';

export const DISPATCH_TICK_MS = Symbol('DispatchTickMs');

/**
 * Sends scheduled deliveries when their window opens. The schedule is the deliveries table:
 * a restart loses nothing, `FOR UPDATE SKIP LOCKED` keeps two instances from sending one
 * delivery twice, and the events go out through the outbox.
 */
@Injectable()
export class DueDeliveriesScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DueDeliveriesScheduler.name);
  private readonly outbox: Outbox;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly sender: DeliverySender,
    publisher: EventPublisher,
    @Inject(DISPATCH_TICK_MS) private readonly tickMs: number,
  ) {
    this.outbox = new Outbox(dataSource, publisher);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .then(() => undefined)
        .catch((err: unknown) =>
          this.logger.warn({
            msg: 'due-delivery pass failed; the next one retries',
            error: String(err),
          }),
        )
        .finally(() => (this.running = undefined));
    }, this.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async tick(limit = 200): Promise<number> {
    let sent = 0;
    for (; sent < limit; sent++) {
      const more = await this.dataSource.transaction(async (tx) => {
        const now = new Date();
        const row = await this.deliveries.due(tx, now);
        if (!row) return false;
        await this.outbox.enqueue(tx, await this.sender.send(tx, row, now));
        return true;
      });
      if (!more) break;
    }
    await this.outbox.flush();
    return sent;
  }
}
