import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { Clock } from '@onevoice/clock';
import { DataSource } from 'typeorm';
import { affectedRows } from './database';

/**
 * One kind of personal data a service prunes once the gate no longer needs it: a statement that
 * reduces at most `$2` rows older than `$1` (now less the retention), and counts them.
 */
export interface RetentionStep {
  what: string;
  sql: string;
}

/**
 * Prunes personal data past its retention (docs/design.md §5, erasure and retention): every
 * `passMs`, each step in batches of `batch` rows until none is left, each batch its own short
 * transaction. The cut-off is the service's clock less `retentionMs`.
 */
export class RetentionLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly name: string,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly retentionMs: number,
    private readonly steps: readonly RetentionStep[],
    private readonly passMs: number,
    private readonly batch = 500,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.pass()
        .catch((err: unknown) =>
          this.logger.warn({ msg: 'pruning failed; the next pass retries', error: String(err) }),
        )
        .finally(() => (this.running = undefined));
    }, this.passMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** One pass over every step; returns what it pruned, by step. */
  async pass(): Promise<Record<string, number>> {
    const cutoff = new Date(this.clock.now().getTime() - this.retentionMs);
    const pruned: Record<string, number> = {};
    for (const step of this.steps) {
      let total = 0;
      for (;;) {
        const result = (await this.dataSource.query(step.sql, [cutoff, this.batch])) as unknown;
        const n = affectedRows(result);
        total += n;
        if (n < this.batch) break;
      }
      pruned[step.what] = total;
    }
    if (Object.values(pruned).some((n) => n > 0))
      this.logger.log({ msg: 'pruned personal data past its retention', cutoff, pruned });
    return pruned;
  }
}

/**
 * A service's retention pass as a Nest provider (named `name`), on its data source and clock:
 * `steps` run every `passMs` for what is older than `retentionMs`.
 */
export function retentionProvider(
  name: string,
  settings: { retentionMs: number; passMs: number },
  steps: readonly RetentionStep[],
): Provider {
  return {
    provide: name,
    inject: [DataSource, Clock],
    useFactory: (dataSource: DataSource, clock: Clock) =>
      new RetentionLoop(name, dataSource, clock, settings.retentionMs, steps, settings.passMs),
  };
}
