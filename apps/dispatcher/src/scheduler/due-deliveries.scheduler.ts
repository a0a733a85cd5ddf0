import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DeliverySender } from '../deliveries/delivery-sender';
import { Clock } from '@onevoice/clock';

export const DISPATCH_TICK_MS = Symbol('DispatchTickMs');
/** Send loops per pass (measured: `npm run bench:dispatcher`). */
const SENDERS = 3;
/** Deliveries per claim (or hand-over): 250 measured ~15% more deliveries/s than 100 (`npm run bench:dispatcher`). */
const BATCH = 250;

/**
 * Drives the sender: every tick (and at once when new deliveries were recorded), it settles
 * claims left by a sender that died, asks providers about uncertain deliveries, and sends what is
 * due — the schedule is the deliveries table, so a restart neither loses nor doubles a send.
 * A job queue beside it (pg-boss 10) drained the same deliveries at 0.44–0.47 of this rate,
 * because each delivery's row must be recorded and claimed anyway: `npm run bench:schedule`.
 */
@Injectable()
export class DueDeliveriesScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DueDeliveriesScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** Set by the timer: the next pass also settles stale claims, uncertain sends and leftovers. */
  private housekeepingDue = true;

  constructor(
    private readonly clock: Clock,
    private readonly sender: DeliverySender,
    @Inject(DISPATCH_TICK_MS) private readonly tickMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.housekeepingDue = true;
      this.kick();
    }, this.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.again = false;
    await this.running;
    await this.sender.drain();
    await this.sender.releaseHandedOver().catch((err: unknown) =>
      this.logger.warn({
        msg: 'could not put unsent claims back in the schedule; the stale-claim recovery will',
        error: String(err),
      }),
    );
  }

  /** Runs a pass now (sends only; the timer's also does the housekeeping), or right after the one under way. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err: unknown) =>
        this.logger.warn({ msg: 'delivery pass failed; the next one retries', error: String(err) }),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pass(limit = 200): Promise<void> {
    const now = () => this.clock.now();
    if (this.housekeepingDue) {
      this.housekeepingDue = false;
      for (let i = 0; i < limit && (await this.sender.recoverNext(now())); i++);
      for (let i = 0; i < limit && (await this.sender.reconcileNext(now())); i++);
      // Events a background publish could not send.
      await this.sender.flush(true);
    }
    // Several senders side by side: claims skip each other's rows, so none is sent twice. A
    // loop stops at the first short batch: nothing more is due now.
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        for (let i = 0; i < limit && (await this.sender.sendDue(now(), BATCH)) === BATCH; i++);
      }),
    );
  }
}
