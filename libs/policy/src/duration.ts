const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds of an ISO-8601 duration in days, hours, minutes and seconds (P14D, PT4H, P1DT12H, PT30S). */
export function durationMs(iso: string): number {
  const m = DURATION.exec(iso);
  if (!m || iso === 'P' || iso === 'PT') throw new Error(`not a duration: ${iso}`);
  const [, d, h, min, sec] = m;
  return (
    (((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60 + Number(sec ?? 0)) *
    1000
  );
}
