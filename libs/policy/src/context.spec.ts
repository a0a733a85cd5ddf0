import fc from 'fast-check';
import { iso } from './context';

describe('iso', () => {
  it('writes what toISOString writes, for any time from 1970 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
        expect(iso(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('gets leap days, century years and the ends of the range right', () => {
    for (const at of [
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T23:59:59.999Z',
      '2024-02-29T12:00:00.000Z',
      '2100-02-28T00:00:00.001Z',
      '2100-03-01T00:00:00.000Z',
      '2026-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999Z',
    ])
      expect(iso(Date.parse(at))).toBe(at);
  });

  it('leaves other times to toISOString', () => {
    expect(iso(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(iso(253_402_300_800_000)).toBe('+010000-01-01T00:00:00.000Z');
    expect(() => iso(Number.NaN)).toThrow(RangeError);
  });
});
