import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareReplays, parseJsonl, recordedTraffic, ReplayTooLarge } from './replay';
import { DEFAULT_FILES, loadGate, loadSetup } from './simulation';

const zones = { default: 'America/New_York', markets: ['America/New_York'] };
const gate = loadGate(DEFAULT_FILES, zones);
const limits = { maxEvents: 100_000, maxCustomers: 1_000, samples: 3 };

/** A recorded month of 40 simulated customers, written as a JSONL export, with two bad lines. */
function recording(): string {
  const { population } = loadSetup(DEFAULT_FILES, 5, 30);
  const lines: string[] = [];
  for (let i = 0; i < 40; i++)
    for (const e of population.eventsOf(population.customer(i))) lines.push(JSON.stringify(e));
  lines.push('{not json');
  lines.push(
    JSON.stringify({
      ...JSON.parse(lines[0]!),
      id: 'x-1',
      source: 'loyalty',
      type: 'preference.changed',
    }),
  );
  const file = join(mkdtempSync(join(tmpdir(), 'ov-replay-')), 'events.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('what-if replay of a recorded JSONL', () => {
  const file = recording();
  const traffic = recordedTraffic(parseJsonl(readFileSync(file, 'utf8')), gate);
  const end = Date.parse('2026-03-15T00:00:00Z');

  it('uses what ingest would accept, and counts what it would not', () => {
    expect(traffic.byCustomer.size).toBe(40);
    expect(traffic.skipped).toEqual({
      'not an object': 1,
      'preference.changed: type not permitted': 1,
    });
  });

  it('changes nothing under the same policy', () => {
    const same = compareReplays(gate, loadGate(DEFAULT_FILES, zones), traffic, { end, limits });
    expect(same.decisionsChanged).toBe(0);
    expect(same.changes).toEqual([]);
    expect(same.touches.after).toBe(same.touches.before);
    expect(same.samples).toEqual([]);
  });

  it('says what a weekly cap of one would change: fewer messages, held back by the cap', () => {
    const weeklyOfOne = {
      ...gate,
      policy: {
        ...gate.policy,
        version: 'weekly-1',
        caps: gate.policy.caps.map((c) => (c.name === 'weekly' ? { ...c, max: 1 } : c)),
      },
    };
    const r = compareReplays(gate, weeklyOfOne, traffic, { end, limits });
    expect(r.policy).toEqual({ before: gate.policy.version, after: 'weekly-1' });
    expect(r.touches.after).toBeLessThan(r.touches.before);
    expect(r.decisionsChanged).toBeGreaterThan(0);
    expect(r.changes.some((c) => /cap_reached|deferred_for_budget/.test(c.change))).toBe(true);
    expect(r.samples.length).toBeGreaterThan(0);
    expect(r.samples[0]!.after.length).toBeLessThanOrEqual(r.samples[0]!.before.length + 1);
  });

  it('refuses more than its bounds, saying how many', () => {
    expect(() =>
      compareReplays(gate, gate, traffic, { end, limits: { ...limits, maxCustomers: 10 } }),
    ).toThrow(new ReplayTooLarge('customers', 40, 10));
  });
});
