import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decisionReasonSchema } from './decisions';
import { CASE_KINDS } from './department-events';
import { REASON_CODES, reasonCodeSchema, RULE_NAMES, type ReasonCode } from './reason-codes';

const ROOT = resolve(__dirname, '../../..');

/** The source of the gates (not specs): where reasons are given. */
function gateSources(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.includes('fixture'))
        out.push(readFileSync(path, 'utf8'));
    }
  };
  for (const dir of ['libs/policy/src', 'apps/coordinator/src', 'apps/survey-throttler/src'])
    walk(join(ROOT, dir));
  return out.join('\n');
}

describe('the reason-code catalogue', () => {
  it('names only rules that exist, each code with at least one rule and a sentence', () => {
    for (const [code, entry] of Object.entries(REASON_CODES)) {
      expect(entry.rules.length).toBeGreaterThan(0);
      for (const rule of entry.rules) expect(RULE_NAMES).toContain(rule);
      expect(entry.says).toMatch(/^[A-Z].*\.$/);
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
  });

  it('holds no code that no gate gives (a dead entry would mislead an agent)', () => {
    const source = gateSources();
    const given = (code: ReasonCode) =>
      source.includes(`'${code}'`) ||
      (code.startsWith('conflict_') &&
        source.includes('`conflict_${') &&
        (CASE_KINDS as readonly string[]).includes(code.slice('conflict_'.length)));
    expect(Object.keys(REASON_CODES).filter((c) => !given(c as ReasonCode))).toEqual([]);
  });

  it('every rule is named by some code', () => {
    const named = new Set(Object.values(REASON_CODES).flatMap((e) => e.rules));
    expect(RULE_NAMES.filter((r) => !named.has(r))).toEqual([]);
  });

  it('a decision reason with a code outside the catalogue is refused, naming it', () => {
    const ok = { rule: 'quiet-hours', code: 'quiet_hours', text: 'Held until 08:00.' };
    expect(decisionReasonSchema.safeParse(ok).success).toBe(true);
    const bad = decisionReasonSchema.safeParse({ ...ok, code: 'because_i_said_so' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['code'] });
    expect(bad.error?.issues[0]?.message).toMatch(/"because_i_said_so" is not a reason code/);
    expect(decisionReasonSchema.safeParse({ ...ok, rule: 'made-up' }).success).toBe(false);
    expect(reasonCodeSchema.options).toHaveLength(Object.keys(REASON_CODES).length);
  });
});
