import { afterFailure, retryDelay, windowClosed } from './after-failure';

const policy = { maxAttempts: 3, retryBaseMs: 1_000 };
const now = Date.parse('2026-11-23T09:00:00Z');

describe('after a failed provider call', () => {
  it('a transient failure is retried with doubling delays while attempts are left', () => {
    expect(
      afterFailure({ kind: 'transient', attempts: 1, idempotent: false }, policy, now),
    ).toEqual({
      then: 'retry',
      at: now + 1_000,
    });
    expect(afterFailure({ kind: 'transient', attempts: 2, idempotent: true }, policy, now)).toEqual(
      {
        then: 'retry',
        at: now + 2_000,
      },
    );
  });

  it('a transient failure with no attempts left has failed: the next channel may take it', () => {
    expect(
      afterFailure({ kind: 'transient', attempts: 3, idempotent: false }, policy, now),
    ).toEqual({
      then: 'fail',
    });
  });

  it('a permanent failure fails at once, whatever attempts are left', () => {
    expect(afterFailure({ kind: 'permanent', attempts: 1, idempotent: true }, policy, now)).toEqual(
      {
        then: 'fail',
      },
    );
  });

  it('an ambiguous call is sent again only to a provider that dedupes by key, with attempts left', () => {
    expect(afterFailure({ kind: 'ambiguous', attempts: 1, idempotent: true }, policy, now)).toEqual(
      {
        then: 'resend',
      },
    );
    expect(afterFailure({ kind: 'ambiguous', attempts: 3, idempotent: true }, policy, now)).toEqual(
      {
        then: 'uncertain',
      },
    );
  });

  it('an ambiguous call to a provider without keys is never sent again, nor elsewhere', () => {
    expect(
      afterFailure({ kind: 'ambiguous', attempts: 1, idempotent: false }, policy, now),
    ).toEqual({
      then: 'uncertain',
    });
  });

  it('after a call whose outcome was unknown, no later failure falls back: the provider is asked', () => {
    // The first call timed out and was resent under its key; the resends then met 503s until
    // the attempts ran out. The provider may have the first: it is asked, not given up on.
    const failed = (kind: 'transient' | 'permanent', attempts: number, maybeTaken: boolean) =>
      afterFailure({ kind, attempts, idempotent: true, maybeTaken }, policy, now).then;
    expect(failed('transient', 3, true)).toBe('uncertain');
    expect(failed('transient', 3, false)).toBe('fail');
    expect(failed('permanent', 2, true)).toBe('uncertain');
    expect(failed('permanent', 2, false)).toBe('fail');
    // With attempts left, a transient failure is still retried.
    expect(failed('transient', 2, true)).toBe('retry');
  });

  it('a provider that says it holds the key already (409, 422) is asked what it took', () => {
    for (const idempotent of [true, false])
      expect(afterFailure({ kind: 'conflict', attempts: 1, idempotent }, policy, now)).toEqual({
        then: 'uncertain',
      });
  });

  it('backoff doubles from the base and stops at a minute', () => {
    expect([0, 1, 2, 3, 4].map((a) => retryDelay(a, policy))).toEqual([
      1_000, 1_000, 2_000, 4_000, 8_000,
    ]);
    expect(retryDelay(20, policy)).toBe(60_000);
  });

  it('a send window closes after its last moment, not at it', () => {
    expect(windowClosed(new Date(now - 1), now)).toBe(true);
    expect(windowClosed(new Date(now), now)).toBe(false);
    expect(windowClosed('2026-11-23T09:00:01Z', now)).toBe(false);
    expect(windowClosed(null, now)).toBe(false);
    expect(windowClosed(undefined, now)).toBe(false);
  });
});
