/**
 * One per provider: after `threshold` failures in a row it opens, and calls wait `coolDownMs`;
 * then one call tries (half-open) and a success closes it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(
    private readonly threshold = 5,
    private readonly coolDownMs = 30_000,
  ) {}

  /** When calls may go again, or undefined when they may go now. */
  blockedUntil(now: number): number | undefined {
    return this.openUntil > now ? this.openUntil : undefined;
  }

  succeeded(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  failed(now: number): void {
    this.failures++;
    if (this.failures >= this.threshold) this.openUntil = now + this.coolDownMs;
  }
}
