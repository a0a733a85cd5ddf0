import type { ClockWindow } from './policy-config';

const MINUTE = 60_000;
const DAY_MINUTES = 1440;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const QUARTER_HOUR = 15 * MINUTE;
const offsets = new Map<string, Map<number, number>>();

/**
 * The zone's offset from UTC at `instant`. Offsets change only on whole quarter hours, so one
 * formatter call per zone and quarter hour serves every instant in it (formatting is the costly
 * part of a decision).
 */
function offsetAt(instant: number, timeZone: string): number {
  const bucket = Math.floor(instant / QUARTER_HOUR);
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  let offset = zone.get(bucket);
  if (offset === undefined) {
    const at = bucket * QUARTER_HOUR;
    const p: Record<string, number> = {};
    for (const part of formatter(timeZone).formatToParts(at)) {
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    }
    offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at;
    if (zone.size > 20_000) zone.clear();
    zone.set(bucket, offset);
  }
  return offset;
}

/** The wall-clock time in `timeZone` at `instant`, written as if it were UTC (ms). */
export function wallClock(instant: number, timeZone: string): number {
  return instant + offsetAt(instant, timeZone);
}

/** Minutes after local midnight at `instant` in `timeZone`. */
export function localMinutes(instant: number, timeZone: string): number {
  return Math.floor(
    (((wallClock(instant, timeZone) % 86_400_000) + 86_400_000) % 86_400_000) / MINUTE,
  );
}

/** Is local `minute` inside the quiet `window` (which may wrap midnight)? */
export function isQuiet(minute: number, window: ClockWindow): boolean {
  if (window.start === window.end) return false;
  return window.start < window.end
    ? minute >= window.start && minute < window.end
    : minute >= window.start || minute < window.end;
}

const allowed = (minute: number, quiet: readonly ClockWindow[]) =>
  quiet.every((w) => !isQuiet(minute, w));

/** Forward distance in minutes from local minute `m` to the nearest minute that `accept`s. */
function forward(
  m: number,
  candidates: readonly number[],
  accept: (minute: number) => boolean,
): number | undefined {
  let best: number | undefined;
  for (const c of candidates) {
    const d = (c - m + DAY_MINUTES) % DAY_MINUTES;
    if (accept(c) && (best === undefined || d < best)) best = d;
  }
  return best;
}

/**
 * The instant whose local wall clock is `minutes` after that of `from`. Daylight-saving changes
 * are absorbed: the answer keeps the local time of day a person would expect (or the first
 * minute after it, inside a spring-forward gap).
 */
function addLocalMinutes(from: number, minutes: number, timeZone: string): number {
  const guess = instantOfWall(wallClock(from, timeZone) + minutes * MINUTE, timeZone, from);
  return guess < from ? from : guess;
}

/**
 * The instant at which the wall clock in `timeZone` reads `wall` (written as if it were UTC, as
 * `wallClock` gives it): the zone's offset taken near `near`, then once more at the first guess,
 * which absorbs a daylight-saving change in between.
 */
export function instantOfWall(wall: number, timeZone: string, near = wall): number {
  const guess = wall - (wallClock(near, timeZone) - near);
  return wall - (wallClock(guess, timeZone) - guess);
}

/**
 * The first instant at or after `from` outside every quiet window in `timeZone`, and when that
 * allowed stretch ends. `undefined` when the windows leave no minute of the day.
 */
export function nextAllowed(
  from: number,
  timeZone: string,
  quiet: readonly ClockWindow[],
): { start: number; end: number } | undefined {
  const active = quiet.filter((w) => w.start !== w.end);
  const m = localMinutes(from, timeZone);
  let start = from;
  if (!allowed(m, active)) {
    const d = forward(
      m,
      active.map((w) => w.end),
      (c) => allowed(c, active),
    );
    if (d === undefined) return undefined;
    start = addLocalMinutes(Math.floor(from / MINUTE) * MINUTE, d, timeZone);
    // Inside a daylight-saving gap the local clock jumps; walk to the first allowed minute.
    for (let i = 0; i < 180 && !allowed(localMinutes(start, timeZone), active); i++)
      start += MINUTE;
  }
  const sm = localMinutes(start, timeZone);
  const untilQuiet = forward(
    sm,
    active.map((w) => w.start),
    () => true,
  );
  const end =
    untilQuiet === undefined || untilQuiet === 0
      ? start + 86_400_000
      : addLocalMinutes(start, untilQuiet, timeZone);
  return { start, end: Math.max(end, start + MINUTE) };
}

/**
 * The first instant at or after `from` outside every quiet window in every one of `timeZones`
 * (a customer whose zone is not known, in each market OneVoice serves), and when that stretch
 * ends in the first of them to go quiet. `undefined` when no minute of the day is allowed in all.
 */
export function nextAllowedEverywhere(
  from: number,
  timeZones: readonly string[],
  quiet: readonly ClockWindow[],
): { start: number; end: number } | undefined {
  const [first, ...others] = timeZones;
  if (first === undefined || others.length === 0)
    return first === undefined ? undefined : nextAllowed(from, first, quiet);
  let start = from;
  // Each zone pushes the start to its next allowed minute; settled when none does. Two days of
  // pushing without settling: the zones' allowed hours never meet.
  while (start < from + 2 * 86_400_000) {
    let moved = false;
    let end = Number.POSITIVE_INFINITY;
    for (const zone of timeZones) {
      const window = nextAllowed(start, zone, quiet);
      if (!window) return undefined;
      if (window.start > start) {
        start = window.start;
        moved = true;
        break;
      }
      end = Math.min(end, window.end);
    }
    if (!moved) return { start, end };
  }
  return undefined;
}
