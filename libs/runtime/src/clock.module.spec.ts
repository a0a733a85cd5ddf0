import { ManualClock, SystemClock } from '@onevoice/clock';
import { clockFromEnv, TestClockController } from './clock.module';

describe('clockFromEnv', () => {
  it('is the machine’s clock by default', () => {
    expect(clockFromEnv({ NODE_ENV: 'production', OV_CLOCK: 'system' })).toBeInstanceOf(
      SystemClock,
    );
  });

  it('starts a manual clock at OV_CLOCK_START, or at OV_CLOCK_OFFSET_MS from the machine’s time', () => {
    const at = clockFromEnv({
      NODE_ENV: 'test',
      OV_CLOCK: 'manual',
      OV_CLOCK_START: '2026-03-01T02:30:00Z',
    });
    expect(at).toBeInstanceOf(ManualClock);
    expect(Math.abs(at.nowMs() - Date.parse('2026-03-01T02:30:00Z'))).toBeLessThan(1_000);
    const behind = clockFromEnv({
      NODE_ENV: 'test',
      OV_CLOCK: 'manual',
      OV_CLOCK_OFFSET_MS: -3_600_000,
    });
    expect(Math.abs(behind.nowMs() - (Date.now() - 3_600_000))).toBeLessThan(1_000);
  });

  it('refuses a manual clock in production, naming the variable', () => {
    expect(() => clockFromEnv({ NODE_ENV: 'production', OV_CLOCK: 'manual' })).toThrow(
      /OV_CLOCK: manual is for tests/,
    );
  });

  it('refuses a start for the machine’s clock, and two starts for a manual one', () => {
    expect(() =>
      clockFromEnv({
        NODE_ENV: 'test',
        OV_CLOCK: 'system',
        OV_CLOCK_START: '2026-03-01T02:30:00Z',
      }),
    ).toThrow(/OV_CLOCK_START: only a manual clock/);
    expect(() =>
      clockFromEnv({
        NODE_ENV: 'test',
        OV_CLOCK: 'manual',
        OV_CLOCK_START: '2026-03-01T02:30:00Z',
        OV_CLOCK_OFFSET_MS: 5,
      }),
    ).toThrow(/not both/);
  });
});

describe('PUT /v1/test/clock', () => {
  const clock = () => new ManualClock({ at: new Date('2026-03-01T02:30:00Z') }, () => 0);

  it('sets the clock, or moves it on, and answers with the time it reads', () => {
    const c = new TestClockController(clock());
    expect(c.move({ advanceMs: 86_400_000 })).toEqual({ now: '2026-03-02T02:30:00.000Z' });
    expect(c.move({ now: '2026-04-01T12:00:00Z' })).toEqual({ now: '2026-04-01T12:00:00.000Z' });
    expect(c.read()).toEqual({ now: '2026-04-01T12:00:00.000Z' });
  });

  it.each([
    [{}, 'now'],
    [{ now: 'yesterday' }, 'now'],
    [{ now: 5 }, 'now'],
    [{ advanceMs: -1 }, 'advanceMs'],
    [{ advanceMs: '5' }, 'advanceMs'],
    [{ now: '2026-04-01T12:00:00Z', advanceMs: 1 }, 'now'],
  ])('refuses %j, naming %s', (body, field) => {
    const c = new TestClockController(clock());
    let response: unknown;
    try {
      c.move(body);
    } catch (err) {
      response = (err as { getResponse(): unknown }).getResponse();
    }
    expect(response).toMatchObject({ error: 'invalid_request', field });
    expect(c.read()).toEqual({ now: '2026-03-01T02:30:00.000Z' });
  });
});
