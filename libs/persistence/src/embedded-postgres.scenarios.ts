/**
 * EmbeddedPostgres's scenarios, each run by embedded-postgres.spec.ts in a Node process of its own:
 * PGlite loads its WebAssembly through dynamic imports, which Jest's module sandbox refuses.
 * `node -r @swc-node/register embedded-postgres.scenarios.ts [scenario…]` prints how each went.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from './embedded-postgres';
import { inProcessStream } from './in-process-connections';

let dir: string;
let db: EmbeddedPostgres;
const clients: Client[] = [];

async function connect(how: 'tcp' | 'in-process', schema?: string): Promise<Client> {
  const client = new Client({
    connectionString: db.url,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    ...(how === 'in-process' ? { stream: () => db.connectInProcess() } : {}),
  });
  clients.push(client);
  await client.connect();
  return client;
}

/** fdatasync calls on the WAL, counted (DiskSync calls it through the module, so it is seen). */
let walSyncs = 0;
const fdatasync = fs.fdatasyncSync;
fs.fdatasyncSync = (fd: number) => {
  walSyncs++;
  fdatasync(fd);
};

/** fsync calls (a checkpoint's files), counted. */
let fileSyncs = 0;
const fsync = fs.fsyncSync;
fs.fsyncSync = (fd: number) => {
  fileSyncs++;
  fsync(fd);
};

export const scenarios: Record<string, () => Promise<void>> = {
  async 'a commit is on disk before it is answered'() {
    const client = await connect('in-process');
    await client.query('CREATE TABLE kept (v int)');
    const before = walSyncs;
    await client.query('BEGIN');
    await client.query('INSERT INTO kept VALUES (1)');
    assert.equal(walSyncs, before, 'nothing is synced mid-transaction');
    await client.query('COMMIT');
    assert.equal(walSyncs, before + 1, 'the commit synced the WAL');
    await client.query('INSERT INTO kept VALUES (2)');
    assert.equal(walSyncs, before + 2, 'a statement outside a transaction too');
    await client.query('SELECT count(*) FROM kept');
    assert.equal(walSyncs, before + 2, 'a read writes no WAL: nothing to sync');
  },

  async 'own search paths'() {
    const setup = await connect('tcp');
    await setup.query('CREATE SCHEMA a; CREATE SCHEMA b');
    await setup.query("CREATE TABLE a.t (v text); INSERT INTO a.t VALUES ('in a')");
    await setup.query("CREATE TABLE b.t (v text); INSERT INTO b.t VALUES ('in b')");
    const [inA, inB] = [await connect('in-process', 'a'), await connect('tcp', 'b')];
    // Interleaved: each statement sees its own connection's schema.
    for (let i = 0; i < 3; i++) {
      assert.deepEqual((await inA.query('SELECT v FROM t')).rows, [{ v: 'in a' }]);
      assert.deepEqual((await inB.query('SELECT v FROM t')).rows, [{ v: 'in b' }]);
    }
  },

  async 'a transaction holds the session'() {
    const [first, second] = [await connect('in-process'), await connect('in-process')];
    await first.query('CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)');
    await first.query('BEGIN');
    await first.query('UPDATE counter SET n = n + 1');
    const seen: string[] = [];
    const read = second.query('SELECT n FROM counter').then((r) => {
      seen.push(`second read ${r.rows[0].n}`);
    });
    // The second connection's statement waits for the session; the first goes on meanwhile.
    await first.query('UPDATE counter SET n = n + 1');
    seen.push('first committing');
    await first.query('COMMIT');
    await read;
    assert.deepEqual(seen, ['first committing', 'second read 2']);
  },

  async 'a connection gone is rolled back'() {
    const [gone, other] = [await connect('in-process'), await connect('in-process')];
    await gone.query('CREATE TABLE left_open (v int)');
    await gone.query('BEGIN');
    await gone.query('INSERT INTO left_open VALUES (1)');
    const waiting = other.query('SELECT count(*)::int AS n FROM left_open');
    gone.on('error', () => undefined);
    (
      gone as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy();
    assert.deepEqual((await waiting).rows, [{ n: 0 }]);
  },

  async 'pools of this process connect in-process'() {
    assert.equal(inProcessStream(db.url), undefined);
    db.serveInProcess();
    const stream = inProcessStream(db.url);
    assert.ok(stream);
    const client = new Client({ connectionString: db.url, stream });
    clients.push(client);
    await client.connect();
    assert.deepEqual((await client.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    await client.end();
    const url = db.url;
    await db.close();
    assert.equal(inProcessStream(url), undefined);
    db = await EmbeddedPostgres.open({ dataDir: dir, maintenanceEveryMs: 50 });
  },

  async 'a checkpoint comes after enough WAL, its files synced'() {
    const own = mkdtempSync(join(tmpdir(), 'ov-pg-'));
    const small = await EmbeddedPostgres.open({
      dataDir: own,
      maintenanceEveryMs: 20,
      checkpointWalBytes: 2 ** 20,
    });
    const client = new Client({
      connectionString: small.url,
      stream: () => small.connectInProcess(),
    });
    try {
      await client.connect();
      const checkpointAt = async () =>
        (await client.query('SELECT checkpoint_lsn::text AS at FROM pg_control_checkpoint()'))
          .rows[0].at as string;
      const first = await checkpointAt();
      const syncs = fileSyncs;
      await client.query(
        "CREATE TABLE filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 20000) g",
      );
      const deadline = performance.now() + 30_000;
      while ((await checkpointAt()) === first) {
        assert.ok(performance.now() < deadline, 'no checkpoint within 30 s of 4 MB of WAL');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(
        fileSyncs > syncs + 10,
        `the checkpoint's files were synced (${fileSyncs - syncs})`,
      );
    } finally {
      await client.end();
      await small.close();
      rmSync(own, { recursive: true, force: true });
    }
  },

  async 'tables are vacuumed and analysed'() {
    const client = await connect('in-process');
    await client.query('CREATE TABLE big (id int PRIMARY KEY, v int)');
    await client.query('INSERT INTO big SELECT g, 0 FROM generate_series(1, 5000) g');
    // The planner's row count, which only ANALYZE (or VACUUM) sets: -1 until then.
    const rows = async () =>
      Number(
        (await client.query("SELECT reltuples FROM pg_class WHERE relname = 'big'")).rows[0]
          .reltuples,
      );
    assert.equal(await rows(), -1);
    // Polled (a barrier, not a sleep): maintenance runs every 50 ms here.
    const deadline = performance.now() + 30_000;
    while ((await rows()) !== 5000) {
      assert.ok(performance.now() < deadline, 'the table was not analysed within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  },
};

/** Runs `name`; says how it went. */
async function runOne(name: string): Promise<string | undefined> {
  const scenario = scenarios[name];
  if (!scenario) return `no scenario "${name}"`;
  try {
    await scenario();
    return undefined;
  } catch (err) {
    return (err as Error).stack ?? String(err);
  } finally {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  }
}

/**
 * Every scenario named (all by default), one after another on one database (each uses tables of
 * its own: creating a database costs seconds): a JSON line each on stdout.
 */
async function main(names: string[]): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'ov-pg-'));
  db = await EmbeddedPostgres.open({ dataDir: dir, maintenanceEveryMs: 50 });
  try {
    for (const name of names.length > 0 ? names : Object.keys(scenarios)) {
      const failure = await runOne(name);
      process.stdout.write(`${JSON.stringify({ scenario: name, ok: !failure, failure })}\n`);
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module)
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
