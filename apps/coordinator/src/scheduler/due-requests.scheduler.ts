import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SpanKind, trace } from '@opentelemetry/api';
import { EventPublisher } from '@onevoice/messaging';
import { Outbox } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import { CoordinatorService } from '../ledger/coordinator.service';
import { LedgerRepository } from '../ledger/ledger.repository';

export const SCHEDULER_TICK_MS = Symbol('SchedulerTickMs');
const tracer = trace.getTracer('coordinator');

/**
 * Held requests (deferred for a budget, a digest or a reminder's time) are decided again when
 * they come due. The state lives in Postgres: a restart loses nothing; `FOR UPDATE SKIP LOCKED`
 * and the customer's lock keep two instances from deciding the same request twice; and the
 * decisions go out through the outbox, so a crash after the commit publishes them on restart.
 */
@Injectable()
export class DueRequestsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DueRequestsScheduler.name);
  private readonly outbox: Outbox;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerRepository,
    private readonly coordinator: CoordinatorService,
    publisher: EventPublisher,
    @Inject(SCHEDULER_TICK_MS) private readonly tickMs: number,
  ) {
    this.outbox = new Outbox(dataSource, publisher);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .then(() => undefined)
        .catch((err: unknown) =>
          this.logger.warn({
            msg: 'due-request pass failed; the next one retries',
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

  /** One pass: decide every request that has come due, then publish. Returns how many. */
  async tick(limit = 200): Promise<number> {
    let decided = 0;
    for (; decided < limit; decided++) {
      const more = await this.dataSource.transaction(async (tx) => {
        const [due] = await this.ledger.dueRequests(tx, new Date(), 1);
        if (!due) return false;
        await tracer.startActiveSpan(
          'decide due request',
          { kind: SpanKind.INTERNAL, attributes: { 'onevoice.request_key': due.request_key } },
          async (span) => {
            try {
              await this.ledger.lockCustomer(tx, due.customer_id);
              await this.outbox.enqueue(
                tx,
                await this.coordinator.decideAndApply(
                  tx,
                  due.customer_id,
                  due.request_key,
                  new Date(),
                ),
              );
            } finally {
              span.end();
            }
          },
        );
        return true;
      });
      if (!more) break;
    }
    await this.outbox.flush();
    return decided;
  }
}
