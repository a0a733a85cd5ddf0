import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * EmbeddedPostgres (the embedded mode's database). Its scenarios (embedded-postgres.scenarios.ts)
 * run in a Node process of their own, once for all: PGlite loads its WebAssembly through dynamic
 * imports, which Jest's module sandbox refuses.
 */
const ROOT = resolve(__dirname, '../../..');
let results: Map<string, { ok: boolean; failure?: string }>;

beforeAll(async () => {
  const stdout = await new Promise<string>((done, fail) =>
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', resolve(__dirname, 'embedded-postgres.scenarios.ts')],
      { cwd: ROOT, timeout: 120_000 },
      (err, out, stderr) => (err ? fail(new Error(stderr || String(err))) : done(out)),
    ),
  );
  results = new Map(
    stdout
      .trim()
      .split('\n')
      // Only the results: the database's own log lines go to stdout too.
      .filter((line) => line.startsWith('{"scenario"'))
      .map((line) => JSON.parse(line) as { scenario: string; ok: boolean; failure?: string })
      .map((r) => [r.scenario, r]),
  );
}, 150_000);

function held(scenario: string): void {
  const result = results.get(scenario);
  if (!result) throw new Error(`scenario "${scenario}" did not run`);
  if (!result.ok) throw new Error(result.failure);
}

describe('EmbeddedPostgres', () => {
  it('serves connections in this process and over TCP, each with its own search_path', () =>
    held('own search paths'));
  it('lets a connection’s transaction finish before another connection runs', () =>
    held('a transaction holds the session'));
  it('rolls back what a connection that went away left open, and the others go on', () =>
    held('a connection gone is rolled back'));
  it('hands in-process connections to pools asking for its URL while it serves them', () =>
    held('pools of this process connect in-process'));
  it('puts a commit on disk before its client hears of it', () =>
    held('a commit is on disk before it is answered'));
  it('checkpoints once enough WAL was written, and syncs the files the checkpoint wrote', () =>
    held('a checkpoint comes after enough WAL, its files synced'));
  it('vacuums and analyses tables between transactions, as autovacuum would', () =>
    held('tables are vacuumed and analysed'));
});
