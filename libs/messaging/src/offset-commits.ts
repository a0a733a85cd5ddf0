import type { TopicPartitionOffset } from 'kafkajs';

/**
 * How long an offset may wait to be committed with others: a batch of skipped messages waits for
 * a timer at most this long; a handled batch commits itself once its offset has waited this long.
 */
export const COMMIT_WAIT_MS = 1_000;

/** What the batch that just finished should do about the offsets waiting. */
export type CommitStep = 'commit' | 'schedule' | 'nothing';

/**
 * The offsets of finished batches that are not committed yet, and when to commit them (the
 * transport's bookkeeping, kept apart so that its interleavings can be tested one by one):
 * - offsets are committed together: the batch that finishes last commits every finished batch's
 *   offset before it returns to kafkajs — a skipped-only batch too, if it is the last — so when
 *   kafkajs has seen a fetch's batches done (and before it re-joins the group) every handled
 *   batch's offset is committed, in one request rather than one per batch;
 * - a handled batch whose offset has waited `maxWaitMs` commits at once (with several brokers,
 *   batches may always be in flight);
 * - offsets of skipped messages only (nothing done that a lost commit would make us do again)
 *   wait for another batch's commit, or a timer's.
 */
export class OffsetCommits {
  private readonly waiting = new Map<string, TopicPartitionOffset>();
  /** Since when a handled batch's offset waits (undefined: none does). */
  private handledSince: number | undefined;
  private inFlight = 0;

  constructor(
    private readonly maxWaitMs = COMMIT_WAIT_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A batch is being consumed. */
  started(): void {
    this.inFlight++;
  }

  /**
   * A batch is done: its next offset waits to be committed (none when the batch was given up,
   * its partition taken away meanwhile). `handled`: it did work (its handler ran, or it
   * dead-lettered), not only skip messages. Says what this batch should do before it returns.
   */
  finished(next: TopicPartitionOffset | undefined, { handled }: { handled: boolean }): CommitStep {
    this.inFlight--;
    if (next) {
      this.waiting.set(`${next.topic}/${next.partition}`, next);
      if (handled) this.handledSince ??= this.now();
    }
    if (
      this.handledSince !== undefined &&
      (this.inFlight === 0 || this.now() - this.handledSince >= this.maxWaitMs)
    )
      return 'commit';
    return this.waiting.size > 0 ? 'schedule' : 'nothing';
  }

  /** The offsets to commit now; they no longer wait. */
  take(): TopicPartitionOffset[] {
    const offsets = [...this.waiting.values()];
    this.waiting.clear();
    this.handledSince = undefined;
    return offsets;
  }

  /**
   * Forgets what waits (the group was re-joined): a commit of the old assignment could step back
   * another owner's offset. Those messages are read again by whoever owns them now, and found done.
   */
  forget(): void {
    this.waiting.clear();
    this.handledSince = undefined;
  }
}
