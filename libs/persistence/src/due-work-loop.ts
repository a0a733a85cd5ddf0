import { Logger } from '@nestjs/common';
import type { EventPublisher, Outbound } from '@onevoice/messaging';
import type { Clock } from '@onevoice/clock';
import type { DataSource, EntityManager } from 'typeorm';
import { Outbox } from './outbox';

/** What a due-work loop does: find the next due item, and handle it. */
export interface DueWork {
  /**
   * Claims the next due item (`FOR UPDATE SKIP LOCKED`), none of `skip`, and returns its key
   * (what a failure is remembered by: a customer id, say); undefined when nothing is due.
   */
  next(tx: EntityManager, now: Date, skip: readonly string[]): Promise<string | undefined>;
  /** Handles the item claimed, in the same transaction; returns what to publish. */
  handle(tx: EntityManager, key: string, now: Date): Promise<Outbound[]>;
}

/** How long an item that failed is set aside: doubling from one tick, up to five minutes. */
const MAX_SET_ASIDE_MS = 5 * 60_000;
/** Items remembered as failing; beyond it the oldest are forgotten (and simply tried again). */
const MAX_REMEMBERED = 10_000;

/**
 * Work that comes due with time (held requests, scheduled sends), kept in Postgres. Every tick
 * takes one due item at a time in its own transaction — `next` claims it with
 * `FOR UPDATE SKIP LOCKED`, so two instances never take the same one — does the work, writes
 * what it publishes to the outbox in that transaction, and finally publishes. A restart loses
 * nothing and doubles nothing. An item whose work fails is rolled back and set aside for a while
 * (its key skipped, with a growing pause), so it cannot block what is due behind it.
 */
export class DueWorkLoop {
  private readonly logger: Logger;
  private readonly outbox: Outbox;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly failing = new Map<string, { attempts: number; until: number }>();

  constructor(
    private readonly name: string,
    private readonly dataSource: DataSource,
    publisher: EventPublisher,
    private readonly work: DueWork,
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

  /** Keys set aside at `now`. */
  setAside(now: number): string[] {
    const keys: string[] = [];
    for (const [key, f] of this.failing) if (f.until > now) keys.push(key);
    return keys;
  }

  /**
   * One pass: everything due now (up to `limit`), then publish. Returns how many were handled.
   * A failure to claim (the database away) ends the pass; a failure of one item's work sets that
   * item aside and the pass goes on.
   */
  async tick(limit = 200): Promise<number> {
    let handled = 0;
    while (handled < limit) {
      const now = this.clock.now();
      let key: string | undefined;
      try {
        const more = await this.dataSource.transaction(async (tx) => {
          key = await this.work.next(tx, now, this.setAside(now.getTime()));
          if (key === undefined) return false;
          await this.outbox.enqueue(tx, await this.work.handle(tx, key, now));
          return true;
        });
        if (!more) break;
        this.failing.delete(key!);
        handled++;
      } catch (err) {
        if (key === undefined) throw err;
        this.setAsideAfterFailure(key, now.getTime(), err);
      }
    }
    await this.outbox.flush();
    return handled;
  }

  private setAsideAfterFailure(key: string, now: number, err: unknown): void {
    const attempts = (this.failing.get(key)?.attempts ?? 0) + 1;
    const pause = Math.min(this.tickMs * 2 ** (attempts - 1), MAX_SET_ASIDE_MS);
    this.failing.delete(key);
    this.failing.set(key, { attempts, until: now + pause });
    if (this.failing.size > MAX_REMEMBERED) this.failing.delete(this.failing.keys().next().value!);
    this.logger.error({
      msg: `${this.name}: work on one due item failed; set aside, the rest goes on`,
      key,
      attempts,
      retryInMs: pause,
      error: String(err),
    });
  }
}
