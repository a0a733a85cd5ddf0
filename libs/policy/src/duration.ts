const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

/** Milliseconds of an ISO-8601 duration in days, hours and minutes (P14D, PT4H, P1DT12H). */
export function durationMs(iso: string): number {
  const m = DURATION.exec(iso);
  if (!m || iso === 'P' || iso === 'PT') throw new Error(`not a duration: ${iso}`);
  const [, d, h, min] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000;
}
