import { wallClock } from '@onevoice/policy';
import { describeRun, runScenario, SCENARIOS } from './scenarios';
import { DEFAULT_FILES, loadSetup } from './simulation';

const setup = loadSetup(DEFAULT_FILES, 1, 30);
const run = (name: string) =>
  runScenario(setup, setup.population, SCENARIOS.find((s) => s.name === name)!);
const localHour = (at: number, zone: string) => new Date(wallClock(at, zone)).getUTCHours();

describe('stories told inside the simulator', () => {
  it('every scenario sends less than the departments would on their own, one channel an intent', () => {
    for (const s of SCENARIOS) {
      const r = runScenario(setup, setup.population, s);
      expect(r.onevoice.sends.length).toBeGreaterThan(0);
      expect(r.onevoice.sends.length).toBeLessThan(r.naive.sends.length);
      // A reminder or an update may follow its message, on the same channel: never another.
      const channels = new Map<string, Set<string>>();
      for (const x of r.onevoice.sends)
        channels.set(x.intentKey, (channels.get(x.intentKey) ?? new Set()).add(x.channel));
      expect([...channels.values()].every((c) => c.size === 1)).toBe(true);
    }
  });

  it('the car service: one message a step, by email, each copy dropped with its reason', () => {
    const r = run('car-service');
    expect(r.onevoice.sends.map((s) => [s.channel, s.intentType])).toEqual([
      ['email', 'service.appointment_due'],
      ['email', 'service.booking_confirmed'],
      ['email', 'service.appointment_tomorrow'],
      ['email', 'service.ready_for_pickup'],
      ['email', 'survey.invite'],
    ]);
    const lines = describeRun(r);
    expect(lines).toContain('    service.appointment_due from care: suppressed (duplicate_intent)');
    expect(lines[lines.length - 1]).toBe(
      `  5 message(s) through OneVoice; ${r.naive.sends.length} if each department sent on its own.`,
    );
  });

  it('the outage at night: alert and update at once on push, no promotion meanwhile', () => {
    const r = run('outage');
    expect(r.onevoice.sends.map((s) => s.intentType)).toEqual([
      'network.outage',
      'network.outage',
      'network.outage_resolved',
    ]);
    expect(r.onevoice.sends.every((s) => s.channel === 'push')).toBe(true);
    // The update went at 02:00, before the all-clear, not at 08:00 after it.
    expect(localHour(r.onevoice.sends[1]!.at, 'America/Chicago')).toBe(2);
    expect(r.onevoice.sends.some((s) => s.category === 'promotion')).toBe(false);
  });

  it('an evening outage by text: the update held for the morning is called off when it ends', () => {
    const r = run('evening-outage');
    expect(r.onevoice.sends.map((s) => [s.channel, s.intentType])).toEqual([
      ['sms', 'network.outage'],
      ['push', 'network.outage_resolved'],
    ]);
    expect(r.onevoice.decisionLog!.some((d) => d.codes.includes('not_affected'))).toBe(true);
  });

  it('collections: no offer while the case is open, one after it', () => {
    const r = run('collections');
    const [opened, closed] = r.onevoice.collections[0] ?? [0, 0];
    expect(opened).toBeGreaterThan(0);
    const offers = r.onevoice.sends.filter((s) => s.category === 'promotion');
    expect(offers).toHaveLength(2);
    expect(offers.every((s) => s.at < opened || s.at >= closed)).toBe(true);
  });
});
