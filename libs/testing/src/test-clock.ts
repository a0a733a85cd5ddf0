import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LOCAL_DIR } from './paths';
import { SERVICES } from './service-process';
import type { TestStack } from './stack';

/**
 * The time the test stack's services read. They run on manual clocks (`OV_CLOCK=manual`), all set
 * alike: the machine's time shifted by one offset, kept in this file so every spec file, the
 * harness and services started later agree on it. A story moves it on with `advanceServicesClock`.
 */
export const TEST_CLOCK_FILE = resolve(LOCAL_DIR, 'test-clock.json');

interface Shift {
  offsetMs: number;
}

function readShift(): Shift {
  try {
    return JSON.parse(readFileSync(TEST_CLOCK_FILE, 'utf8')) as Shift;
  } catch {
    return { offsetMs: 0 };
  }
}

function writeShift(shift: Shift): void {
  mkdirSync(dirname(TEST_CLOCK_FILE), { recursive: true });
  writeFileSync(TEST_CLOCK_FILE, JSON.stringify(shift));
}

/** How far ahead of the machine's time the services' clocks are (a service started now takes it). */
export function testClockOffsetMs(): number {
  return readShift().offsetMs;
}

/** What the services' clocks read now. */
export function testNow(): Date {
  return new Date(Date.now() + readShift().offsetMs);
}

/** `OV_TEST_CLOCK_START`: `HH:MM` (today, UTC) or an ISO 8601 date-time. */
export function parseClockStart(value: string | undefined, machine = new Date()): Date | undefined {
  if (!value) return undefined;
  const hm = /^(\d{2}):(\d{2})$/.exec(value);
  if (hm) {
    const [hours, minutes] = [Number(hm[1]), Number(hm[2])];
    if (hours > 23 || minutes > 59) throw new Error(`OV_TEST_CLOCK_START: no such time, ${value}`);
    const at = new Date(machine);
    at.setUTCHours(hours, minutes, 0, 0);
    return at;
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new Error(
      `OV_TEST_CLOCK_START: give HH:MM (today, UTC) or an ISO 8601 date-time, not "${value}"`,
    );
  return at;
}

/** Puts the test clock at `start` (or the machine's time): the set-up's first step. */
export function resetTestClock(start: Date | undefined): Date {
  writeShift({ offsetMs: start ? start.getTime() - Date.now() : 0 });
  return testNow();
}

/**
 * Moves every service's clock on by `ms` and waits until each has (`PUT /v1/test/clock`); the
 * services' scheduler loops then find what came due. Returns the time they now read.
 */
export async function advanceServicesClock(
  serviceUrls: readonly string[],
  ms: number,
): Promise<Date> {
  if (!Number.isFinite(ms) || ms < 0)
    throw new Error(`the services' clock only moves forward: cannot advance it by ${ms} ms`);
  const shift = readShift();
  // Once per process: the embedded mode's five services share one clock, behind one URL.
  await Promise.all(
    [...new Set(serviceUrls)].map(async (url) => {
      const res = await fetch(`${url}/v1/test/clock`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs: ms }),
      });
      if (!res.ok)
        throw new Error(`${url} refused to move its clock: ${res.status} ${await res.text()}`);
    }),
  );
  // Written once every service has moved: the harness, the specs and services started later
  // then read what the running services read.
  writeShift({ offsetMs: shift.offsetMs + ms });
  return testNow();
}

/** Lets `ms` pass for every service of the test stack at once; returns the time they now read. */
export function advanceStackClock(stack: TestStack, ms: number): Promise<Date> {
  return advanceServicesClock(
    SERVICES.map((s) => stack.services[s]),
    ms,
  );
}
