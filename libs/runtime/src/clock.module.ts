import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Global,
  HttpCode,
  Module,
  Put,
  type DynamicModule,
} from '@nestjs/common';
import { Clock, ManualClock, SystemClock } from '@onevoice/clock';
import { ConfigError } from './env';

/** The clock settings every service reads (docs/design.md, "Time"). */
export interface ClockEnv {
  NODE_ENV: string;
  OV_CLOCK: 'system' | 'manual';
  OV_CLOCK_START?: string | undefined;
  OV_CLOCK_OFFSET_MS?: number | undefined;
}

/**
 * The service's clock: the machine's, or — for tests only — a `ManualClock` starting at
 * `OV_CLOCK_START` (an instant) or `OV_CLOCK_OFFSET_MS` (ahead of the machine's time by that much:
 * services on one machine given the same offset read the same time), that `PUT /v1/test/clock`
 * moves. Production refuses the manual one: a service
 * whose time can be set over HTTP would send at whatever hour a caller chose.
 */
export function clockFromEnv(env: ClockEnv): Clock {
  if (env.OV_CLOCK === 'system') {
    const set = env.OV_CLOCK_START
      ? 'OV_CLOCK_START'
      : env.OV_CLOCK_OFFSET_MS !== undefined
        ? 'OV_CLOCK_OFFSET_MS'
        : undefined;
    if (set)
      throw new ConfigError(
        `invalid configuration:\n  ${set}: only a manual clock is set (OV_CLOCK=manual, tests only)`,
      );
    return new SystemClock();
  }
  if (env.NODE_ENV === 'production')
    throw new ConfigError(
      'invalid configuration:\n  OV_CLOCK: manual is for tests and is refused when NODE_ENV=production',
    );
  if (env.OV_CLOCK_START && env.OV_CLOCK_OFFSET_MS !== undefined)
    throw new ConfigError(
      'invalid configuration:\n  OV_CLOCK_OFFSET_MS: give OV_CLOCK_START or OV_CLOCK_OFFSET_MS, not both',
    );
  return new ManualClock(
    env.OV_CLOCK_START
      ? { at: new Date(env.OV_CLOCK_START) }
      : env.OV_CLOCK_OFFSET_MS !== undefined
        ? { offsetMs: env.OV_CLOCK_OFFSET_MS }
        : {},
  );
}

/**
 * Moves a manual clock (tests only; the route exists only on a service started with
 * `OV_CLOCK=manual`, which production refuses). `{"now": ISO}` sets it; `{"advanceMs": n}` moves it
 * on. Answers with the time it now reads.
 */
@Controller('v1/test/clock')
export class TestClockController {
  constructor(private readonly clock: Clock) {}

  @Get()
  read(): { now: string } {
    return { now: this.clock.now().toISOString() };
  }

  @Put()
  @HttpCode(200)
  move(@Body() body: unknown): { now: string } {
    const clock = this.clock as ManualClock;
    const { now, advanceMs } = (body ?? {}) as { now?: unknown; advanceMs?: unknown };
    if (now !== undefined && advanceMs !== undefined)
      throw new BadRequestException({
        error: 'invalid_request',
        field: 'now',
        message: 'give either now or advanceMs, not both',
      });
    if (now !== undefined) {
      const at = typeof now === 'string' ? new Date(now) : new Date(Number.NaN);
      if (Number.isNaN(at.getTime()))
        throw new BadRequestException({
          error: 'invalid_request',
          field: 'now',
          message: 'must be an ISO 8601 date-time, e.g. 2026-03-01T02:30:00Z',
        });
      clock.set(at);
    } else if (advanceMs !== undefined) {
      if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0)
        throw new BadRequestException({
          error: 'invalid_request',
          field: 'advanceMs',
          message: 'must be a non-negative number of milliseconds',
        });
      clock.advance(advanceMs);
    } else
      throw new BadRequestException({
        error: 'invalid_request',
        field: 'now',
        message: 'give now (an ISO 8601 date-time) or advanceMs (milliseconds to move on)',
      });
    return this.read();
  }
}

/** Provides the service's `Clock` to every module; with a manual clock, the route that moves it. */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock): DynamicModule {
    return {
      module: ClockModule,
      controllers: clock instanceof ManualClock ? [TestClockController] : [],
      providers: [{ provide: Clock, useValue: clock }],
      exports: [Clock],
    };
  }
}
