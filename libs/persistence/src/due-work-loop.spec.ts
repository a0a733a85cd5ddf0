import { ManualClock } from '@onevoice/clock';
import type { EventPublisher, Outbound } from '@onevoice/messaging';
import type { DataSource, EntityManager } from 'typeorm';
import { DueWorkLoop, type DueWork } from './due-work-loop';

/**
 * A due-work loop over items kept in memory: a fake transaction that rolls back (forgets what
 * `handle` marked done) when its work throws, as Postgres would.
 */
function loopOver(items: string[], failing: Set<string>, tickMs = 1_000) {
  const done: string[] = [];
  const tx = { query: () => Promise.resolve([]) } as unknown as EntityManager;
  const dataSource = {
    transaction: async <T>(fn: (tx: EntityManager) => Promise<T>) => fn(tx),
    query: () => Promise.resolve([]),
  } as unknown as DataSource;
  const publisher = { publish: () => Promise.resolve() } as unknown as EventPublisher;
  const work: DueWork = {
    next: (_tx, _now, skip) =>
      Promise.resolve(items.find((i) => !done.includes(i) && !skip.includes(i))),
    handle: (_tx, key) => {
      if (failing.has(key)) return Promise.reject(new Error(`cannot decide ${key}`));
      done.push(key);
      return Promise.resolve([] as Outbound[]);
    },
  };
  // A clock that moves only when the spec moves it.
  const clock = new ManualClock({ at: new Date('2026-12-03T12:00:00Z') }, () => 0);
  const loop = new DueWorkLoop('TestLoop', dataSource, publisher, work, tickMs, clock);
  return { loop, done, clock };
}

describe('a due-work loop with one item that keeps failing', () => {
  it('sets it aside and handles what is due behind it', async () => {
    const { loop, done } = loopOver(['a', 'b', 'c'], new Set(['a']));
    await expect(loop.tick()).resolves.toBe(2);
    expect(done).toEqual(['b', 'c']);
  });

  it('tries it again after a pause that doubles, and forgets the failure once it works', async () => {
    const failing = new Set(['a']);
    const { loop, done, clock } = loopOver(['a'], failing);
    await loop.tick();
    const start = clock.now().getTime();
    expect(loop.setAside(start)).toEqual(['a']);
    clock.advance(1_000);
    await loop.tick(); // second failure: two ticks aside
    expect(loop.setAside(start + 2_000)).toEqual(['a']);
    expect(loop.setAside(start + 3_000)).toEqual([]);
    failing.clear();
    clock.advance(2_000);
    await expect(loop.tick()).resolves.toBe(1);
    expect(done).toEqual(['a']);
    expect(loop.setAside(clock.now().getTime())).toEqual([]);
  });

  it('a pass that cannot claim anything (the database away) fails as a whole, for the next tick', async () => {
    const { loop } = loopOver([], new Set());
    (loop as unknown as { work: DueWork }).work.next = () =>
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(loop.tick()).rejects.toThrow('ECONNREFUSED');
  });
});
