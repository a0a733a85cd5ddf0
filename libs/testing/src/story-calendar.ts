import { localTime } from './story';

const DAY = 86_400_000;

/**
 * A story's calendar on one customer's clock: day 1 is the day `start` falls on in `timeZone` (a
 * fixed-offset zone, such as `zoneAtHours` gives: no daylight-saving change inside a story), and
 * `at(day, 'HH:MM')` is that moment as an instant.
 */
export class StoryCalendar {
  private readonly offsetMs: number;
  private readonly midnight1: number;

  constructor(
    readonly timeZone: string,
    start: Date,
  ) {
    const wall = localTime(start, timeZone);
    this.offsetMs =
      Date.parse(`${wall.replace(' ', 'T')}Z`) - Math.floor(start.getTime() / 60_000) * 60_000;
    this.midnight1 = Date.parse(`${wall.slice(0, 10)}T00:00Z`) - this.offsetMs;
  }

  /** The instant at `hhmm` on the customer's clock on `day` (1 = the story's first day). */
  at(day: number, hhmm: string): Date {
    const minutes = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
    return new Date(this.midnight1 + (day - 1) * DAY + minutes * 60_000);
  }

  /** Which day of the story `t` falls on, on the customer's clock. */
  dayOf(t: Date): number {
    return Math.floor((t.getTime() - this.midnight1) / DAY) + 1;
  }

  /** `t` on the customer's clock, "HH:MM". */
  clock(t: Date): string {
    return localTime(t, this.timeZone).slice(11);
  }
}
