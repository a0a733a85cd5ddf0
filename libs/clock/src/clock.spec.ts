import { eventTime, ManualClock, SystemClock } from './clock';

describe('ManualClock', () => {
  let machine = 1_000_000;
  const machineMs = () => machine;
  beforeEach(() => (machine = 1_000_000));

  it('starts where it is set and keeps the machine’s pace from there', () => {
    const clock = new ManualClock({ at: new Date('2026-03-01T02:30:00Z') }, machineMs);
    expect(clock.now().toISOString()).toBe('2026-03-01T02:30:00.000Z');
    machine += 1_500;
    expect(clock.now().toISOString()).toBe('2026-03-01T02:30:01.500Z');
    expect(clock.nowMs()).toBe(Date.parse('2026-03-01T02:30:01.500Z'));
  });

  it('without a start reads the machine’s time', () => {
    expect(new ManualClock({}, machineMs).nowMs()).toBe(1_000_000);
  });

  it('started at an offset reads the machine’s time shifted by exactly that much', () => {
    const a = new ManualClock({ offsetMs: -5 * 3_600_000 }, machineMs);
    machine += 2_000;
    const b = new ManualClock({ offsetMs: -5 * 3_600_000 }, machineMs);
    expect(a.nowMs()).toBe(b.nowMs());
    expect(a.nowMs()).toBe(1_002_000 - 5 * 3_600_000);
    expect(() => new ManualClock({ at: new Date(0), offsetMs: 1 }, machineMs)).toThrow(RangeError);
  });

  it('advances by days and can be set again', () => {
    const clock = new ManualClock({ at: new Date('2026-03-01T02:30:00Z') }, machineMs);
    clock.advance(2 * 86_400_000);
    expect(clock.now().toISOString()).toBe('2026-03-03T02:30:00.000Z');
    clock.set(new Date('2026-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('refuses to go backwards or to an invalid date', () => {
    const clock = new ManualClock({}, machineMs);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.set(new Date('not a date'))).toThrow(RangeError);
    expect(clock.nowMs()).toBe(1_000_000);
  });
});

describe('SystemClock', () => {
  it('reads the machine’s time', () => {
    const before = Date.now();
    const at = new SystemClock().nowMs();
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});

describe('eventTime', () => {
  const clock = new ManualClock({ at: new Date('2026-03-01T02:30:00Z') }, () => 0);
  it('is the time the sender gave, or now by the clock when it gave none', () => {
    expect(eventTime('2026-01-05T10:00:00Z', clock).toISOString()).toBe('2026-01-05T10:00:00.000Z');
    expect(eventTime(undefined, clock).toISOString()).toBe('2026-03-01T02:30:00.000Z');
  });
});
