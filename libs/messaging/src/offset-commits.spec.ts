import { OffsetCommits } from './offset-commits';

const at = (partition: number, offset: number, topic = 'ov.contact-requests.v1') => ({
  topic,
  partition,
  offset: String(offset),
});

/** Bookkeeping on a clock the test moves. */
function commits(maxWaitMs = 1_000) {
  let now = 0;
  const c = new OffsetCommits(maxWaitMs, () => now);
  return { c, tick: (ms: number) => (now += ms) };
}

describe('OffsetCommits', () => {
  it('has a lone handled batch commit its offset as it finishes', () => {
    const { c } = commits();
    c.started();
    expect(c.finished(at(0, 11), { handled: true })).toBe('commit');
    expect(c.take()).toEqual([at(0, 11)]);
  });

  it('has the batch that finishes last commit the others, a skipped-only batch too', () => {
    // The interleaving that once left a handled offset to the timer: the handled batch finishes
    // first, the batch of skipped messages last — kafkajs may re-join right after it returns.
    const { c } = commits();
    c.started();
    c.started();
    expect(c.finished(at(0, 11), { handled: true })).toBe('schedule');
    expect(c.finished(at(1, 40, 'ov.decisions.v1'), { handled: false })).toBe('commit');
    expect(c.take()).toEqual([at(0, 11), at(1, 40, 'ov.decisions.v1')]);
    expect(c.take()).toEqual([]);
  });

  it('leaves offsets of skipped messages only to a timer, even from the last batch', () => {
    const { c } = commits();
    c.started();
    c.started();
    expect(c.finished(at(1, 40), { handled: false })).toBe('schedule');
    expect(c.finished(at(2, 7), { handled: false })).toBe('schedule');
    expect(c.take()).toEqual([at(1, 40), at(2, 7)]);
  });

  it('commits a handled offset that has waited long enough, whatever is in flight', () => {
    const { c, tick } = commits(1_000);
    c.started();
    c.started();
    c.started();
    expect(c.finished(at(0, 11), { handled: true })).toBe('schedule');
    tick(999);
    expect(c.finished(at(1, 5), { handled: true })).toBe('schedule');
    tick(1);
    // Waited since the first handled offset, not the latest.
    c.started();
    expect(c.finished(at(2, 9), { handled: false })).toBe('commit');
    expect(c.take()).toEqual([at(0, 11), at(1, 5), at(2, 9)]);
    // The wait starts again with the next handled offset.
    c.started();
    tick(5_000);
    expect(c.finished(at(0, 12), { handled: true })).toBe('schedule');
  });

  it('keeps one offset per partition, the latest', () => {
    const { c } = commits();
    c.started();
    c.started();
    c.finished(at(0, 11), { handled: true });
    c.finished(at(0, 20), { handled: true });
    expect(c.take()).toEqual([at(0, 20)]);
  });

  it('records nothing for a batch given up, and commits what others left when it is last', () => {
    const { c } = commits();
    c.started();
    c.started();
    expect(c.finished(at(0, 11), { handled: true })).toBe('schedule');
    expect(c.finished(undefined, { handled: false })).toBe('commit');
    expect(c.take()).toEqual([at(0, 11)]);
    c.started();
    expect(c.finished(undefined, { handled: true })).toBe('nothing');
  });

  it('forgets what waits once the group is re-joined', () => {
    const { c } = commits();
    c.started();
    c.started();
    c.finished(at(0, 11), { handled: true });
    c.forget();
    expect(c.finished(at(3, 2), { handled: false })).toBe('schedule');
    expect(c.take()).toEqual([at(3, 2)]);
  });
});
