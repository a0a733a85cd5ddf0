import { Logger } from '@nestjs/common';
import type { EventPublisher, Outbound } from '@onevoice/messaging';
import type { Clock } from '@onevoice/clock';
import type { DataSource, EntityManager } from 'typeorm';
import { Outbox } from './outbox';

/**
 * Work that comes due with time (held requests, scheduled sends), kept in Postgres. Every tick
 * takes one due item at a time in its own transaction — `take` claims it with
 * `FOR UPDATE SKIP LOCKED`, so two instances never take the same one — does the work, writes
 * what it publishes to the outbox in that transaction, and finally publishes. A restart loses
 * nothing and doubles nothing.
 */
export class DueWorkLoop {
  private readonly logger: Logger;
  private readonly outbox: Outbox;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly dataSource: DataSource,
    publisher: EventPublisher,
    /** Claims and handles one due item; undefined when nothing is due. */
    private readonly take: (tx: EntityManager, now: Date) => Promise<Outbound[] | undefined>,
    private readonly tickMs: number,
    /** What is due is due by the service's clock. */
    private readonly clock: Clock,
  ) {
    this.logger = new Logger(name);
    this.outbox = new Outbox(dataSource, publisher);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .then(() => undefined)
        .catch((err: unknown) =>
          this.logger.warn({
            msg: `${this.name} pass failed; the next one retries`,
            error: String(err),
          }),
        )
        .finally(() => (this.running = undefined));
    }, this.tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: everything due now (up to `limit`), then publish. Returns how many were handled. */
  async tick(limit = 200): Promise<number> {
    let handled = 0;
    for (; handled < limit; handled++) {
      const more = await this.dataSource.transaction(async (tx) => {
        const out = await this.take(tx, this.clock.now());
        if (out === undefined) return false;
        await this.outbox.enqueue(tx, out);
        return true;
      });
      if (!more) break;
    }
    await this.outbox.flush();
    return handled;
  }
}
