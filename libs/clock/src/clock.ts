/**
 * What time it is, for a service. Every service takes one as an argument (a Nest provider under
 * this class), and nothing that decides anything reads the system's time itself: production runs
 * on `SystemClock`; tests run the services on a `ManualClock` they move, so a story can be told
 * over days and a spec passes whatever the hour (docs/design.md, "Time").
 */
export abstract class Clock {
  abstract now(): Date;

  /** Milliseconds since the epoch; same instant as `now()`. */
  nowMs(): number {
    return this.now().getTime();
  }
}

/** The machine's time: production's clock. */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  override nowMs(): number {
    return Date.now();
  }
}

/**
 * A clock that runs at the machine's pace from wherever it was last set: `set` puts it at an
 * instant, `advance` moves it on. It keeps running between moves, so timers, leases and retries
 * behave as in production, and a test can still jump a service days ahead. For tests only: a
 * service refuses it when `NODE_ENV=production`.
 */
export class ManualClock extends Clock {
  private offsetMs = 0;

  constructor(
    /**
     * Where it starts: at an instant, or ahead of (behind, if negative) the machine's time by an
     * exact offset — what several processes on one machine need to read the same time.
     */
    start: { at?: Date; offsetMs?: number } = {},
    /** The machine's milliseconds; a spec of the clock itself passes its own. */
    private readonly machineMs: () => number = Date.now,
  ) {
    super();
    if (start.at && start.offsetMs !== undefined)
      throw new RangeError('a manual clock starts at an instant or at an offset, not both');
    if (start.at) this.set(start.at);
    else if (start.offsetMs !== undefined) {
      if (!Number.isFinite(start.offsetMs)) throw new RangeError('the offset must be finite');
      this.offsetMs = start.offsetMs;
    }
  }

  override now(): Date {
    return new Date(this.nowMs());
  }

  override nowMs(): number {
    return this.machineMs() + this.offsetMs;
  }

  set(at: Date): void {
    if (Number.isNaN(at.getTime()))
      throw new RangeError('the clock cannot be set to an invalid date');
    this.offsetMs = at.getTime() - this.machineMs();
  }

  /** Moves the clock on by `ms` (never back: a clock that goes backwards breaks every lease). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`a clock advances by a finite, non-negative number of ms, not ${ms}`);
    this.offsetMs += ms;
  }
}

/** When an event happened: the time its sender gave, or — when it gave none — now by `clock`. */
export function eventTime(stated: string | Date | undefined, clock: Clock): Date {
  return stated === undefined ? clock.now() : new Date(stated);
}
