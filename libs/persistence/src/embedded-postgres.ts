import { Logger } from '@nestjs/common';
import type { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { DiskSync } from './embedded-postgres-disk';
import { SessionUsage } from './embedded-postgres-usage';
import { InProcessSocket, serveInProcess } from './in-process-connections';

export interface EmbeddedPostgresOptions {
  /** Where the database lives on disk (created on first open). */
  dataDir: string;
  /** 0: any free port. */
  port?: number;
  host?: string;
  /**
   * A connection that holds the session in a transaction (or half-way through a statement) and
   * says nothing for this long is cut off and its transaction rolled back: everyone else waits for
   * it, as in Postgres's `idle_in_transaction_session_timeout`.
   */
  idleInTransactionMs?: number;
  /** PGlite keeps one buffer pool; the default (128 MB) is more than a laptop's run needs. */
  sharedBuffers?: string;
  /** Every this many ms, logs where the session's time went (`SessionUsage`); 0: never. */
  usageEveryMs?: number;
  /**
   * Every this many ms (2,000 by default; 0: never), the next table in turn is vacuumed and
   * analysed while no transaction holds the session — PGlite runs no autovacuum.
   */
  maintenanceEveryMs?: number;
  /**
   * Whether a commit is on disk before its client hears of it, and a checkpoint's data files after
   * it (true by default). PGlite's file system has no fsync of its own: without this, a power cut
   * or an operating-system crash can lose what was committed (a process crash cannot).
   */
  durable?: boolean;
  /** A checkpoint (its files then synced) once this much WAL was written since the last: 256 MB. */
  checkpointWalBytes?: number;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** What a session needs of its connection: a TCP socket, or an in-process one. */
type Connection = Pick<Duplex, 'write' | 'end' | 'destroy' | 'on'>;

/** One client connection: its parsed messages, waiting to run, and its own search_path. */
class Session {
  readonly queue: Buffer[] = [];
  buffered: Buffer = Buffer.alloc(0);
  started = false;
  searchPath = '"$user", public';
  closed = false;
  /** Its named prepared statements, under the names the shared session knows them by. */
  readonly statements = new Set<string>();
  constructor(
    readonly id: number,
    readonly socket: Connection,
  ) {}
}

/**
 * PostgreSQL for the embedded mode: PGlite (Postgres compiled to WebAssembly, in this process,
 * kept on disk) served on a local TCP port, so that the services keep their driver (`pg`), their
 * pools, their migrations and their SQL unchanged.
 *
 * PGlite is one Postgres session. Many connections share it here, one at a time:
 * - a connection runs whole statements (up to its Sync, or a simple Query) while no one else does;
 * - one that opened a transaction keeps the session until it ends it — the others wait;
 * - each connection's `-c search_path=…` (from its start-up options) is set before its statements
 *   run, as every service works in a schema of its own.
 * So nothing may hold a transaction while it waits on a second connection: that would wait for ever,
 * and is cut off after `idleInTransactionMs`.
 *
 * (`@electric-sql/pglite-socket` serves PGlite too, but passes start-up options over — every
 * connection would share one search_path — and interleaves different connections' messages
 * between a Parse and its Sync.)
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger('EmbeddedPostgres');
  private readonly sessions = new Set<Session>();
  private readonly waiting: Session[] = [];
  /** Stops this process's own connections going through `connectInProcess`. */
  private forgetInProcess: () => void = () => undefined;
  /** The connection the session belongs to now (mid-statement or in a transaction). */
  private owner: Session | undefined;
  private currentSearchPath = '"$user", public';
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private pumping = false;
  private serverVersion = '';
  private databases = new Set(['postgres']);
  private timeZone = 'UTC';
  /** Measured only when asked for (`usageEveryMs`). */
  private usage: SessionUsage | undefined;
  private usageTimer: NodeJS.Timeout | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  /** Commits and checkpoints to disk (`durable`). */
  private disk: DiskSync | undefined;
  /** The tables left in this round of maintenance. */
  private toMaintain: string[] = [];
  /** When the owner took the session. */
  private ownedSince = 0;

  private constructor(
    private readonly db: PGlite,
    private readonly server: Server,
    private readonly options: EmbeddedPostgresOptions,
  ) {}

  /** Opens (or creates) the database in `dataDir` and starts serving it. */
  static async open(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    mkdirSync(options.dataDir, { recursive: true });
    // Loaded only here: the distributed mode never needs it.
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create({
      dataDir: options.dataDir,
      postgresqlconf: [`shared_buffers = ${options.sharedBuffers ?? '32MB'}`],
    });
    const server = createServer();
    const pg = new EmbeddedPostgres(db, server, options);
    const [version, zone, current] = await Promise.all([
      db.query<{ server_version: string }>('SHOW server_version'),
      db.query<{ TimeZone: string }>('SHOW TimeZone'),
      db.query<{ name: string }>('SELECT current_database() AS name'),
    ]);
    pg.databases.add(current.rows[0]?.name ?? 'postgres');
    pg.serverVersion = version.rows[0]?.server_version ?? '17';
    pg.timeZone = zone.rows[0]?.TimeZone ?? 'UTC';
    if (options.durable ?? true) {
      // What is there already goes to disk first (written before this process, or by recovery).
      await db.exec('CHECKPOINT');
      const [lsn, file] = pg.walPosition();
      pg.disk = new DiskSync(options.dataDir, lsn, file);
    }
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      pg.accept(socket);
    });
    const maintenanceEvery = options.maintenanceEveryMs ?? 2_000;
    if (maintenanceEvery > 0) {
      pg.maintenanceTimer = setInterval(() => pg.maintainNext(), maintenanceEvery);
      pg.maintenanceTimer.unref();
    }
    if (options.usageEveryMs) {
      const usage = (pg.usage = new SessionUsage());
      pg.usageTimer = setInterval(
        () => pg.logger.log({ msg: 'embedded database use', ...usage.take() }),
        options.usageEveryMs,
      );
      pg.usageTimer.unref();
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return pg;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL the services' `DATABASE_URL` takes. */
  get url(): string {
    return `postgres://postgres@${this.options.host ?? '127.0.0.1'}:${this.port}/postgres`;
  }

  /**
   * A connection from this process that skips TCP (see `InProcessSocket`); the services' pools
   * take it (`inProcessStream`) once `serveInProcess` is called. The same sessions as over TCP.
   */
  connectInProcess(): InProcessSocket {
    const [client, server] = InProcessSocket.pair();
    this.accept(server);
    return client;
  }

  /** This process's connections to `url` go through `connectInProcess` from now on. */
  serveInProcess(): void {
    this.forgetInProcess = serveInProcess(this.url, () => this.connectInProcess());
  }

  /** Stops serving, then closes the database cleanly (a checkpoint: the next open is quick). */
  async close(): Promise<void> {
    this.forgetInProcess();
    clearTimeout(this.idleTimer);
    clearInterval(this.usageTimer);
    clearInterval(this.maintenanceTimer);
    for (const session of this.sessions) session.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (!this.db.closed) await this.db.close();
    // The shutdown checkpoint's files, to disk.
    this.disk?.checkpointed();
    this.disk?.close();
  }

  private accept(socket: Connection): void {
    const session = new Session(this.nextId++, socket);
    this.sessions.add(session);
    socket.on('data', (chunk) => {
      try {
        this.receive(session, chunk);
      } catch (err) {
        this.logger.warn({ msg: 'bad client message; closing the connection', error: String(err) });
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.forget(session));
  }

  private receive(session: Session, chunk: Buffer): void {
    session.buffered =
      session.buffered.length === 0 ? chunk : Buffer.concat([session.buffered, chunk]);
    for (;;) {
      const buf = session.buffered;
      if (!session.started) {
        if (buf.length < 8) break;
        const length = buf.readInt32BE(0);
        if (buf.length < length) break;
        const code = buf.readInt32BE(4);
        session.buffered = buf.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          session.socket.write('N');
          continue;
        }
        if (code === CANCEL_REQUEST) {
          session.socket.destroy();
          return;
        }
        if (code !== PROTOCOL_3) throw new Error(`unsupported protocol ${code}`);
        this.startup(session, buf.subarray(8, length));
        continue;
      }
      if (buf.length < 5) break;
      const length = buf.readInt32BE(1) + 1;
      if (buf.length < length) break;
      session.queue.push(Buffer.from(buf.subarray(0, length)));
      session.buffered = buf.subarray(length);
      if (!this.waiting.includes(session) && this.owner !== session) this.waiting.push(session);
    }
    // Outside the loop: a whole chunk is parsed before anything runs.
    this.pump();
  }

  private startup(session: Session, body: Buffer): void {
    const parts = body.toString('utf8').split('\0');
    const params = new Map<string, string>();
    for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) params.set(parts[i]!, parts[i + 1]!);
    const database = params.get('database') ?? params.get('user') ?? '';
    if (!this.databases.has(database)) {
      // One database only: a client asking for another would otherwise share this one unknowingly.
      const fields = [
        'SFATAL',
        'VFATAL',
        'C3D000',
        `Mdatabase "${database}" does not exist: the embedded Postgres serves only "postgres"`,
      ];
      session.socket.end(message('E', Buffer.from(`${fields.join('\0')}\0\0`)));
      return;
    }
    const path = /(?:-c\s*|--)search_path=(\S+)/.exec(params.get('options') ?? '')?.[1];
    if (path) session.searchPath = path.replace(/\\,/g, ',');
    session.started = true;
    const out: Buffer[] = [message('R', int32(0))];
    const status: [string, string][] = [
      ['server_version', this.serverVersion],
      ['server_encoding', 'UTF8'],
      ['client_encoding', 'UTF8'],
      ['DateStyle', 'ISO, MDY'],
      ['integer_datetimes', 'on'],
      ['standard_conforming_strings', 'on'],
      ['TimeZone', this.timeZone],
      ['application_name', params.get('application_name') ?? ''],
    ];
    for (const [k, v] of status) out.push(message('S', Buffer.from(`${k}\0${v}\0`)));
    out.push(message('K', Buffer.concat([int32(process.pid), int32(session.id)])));
    out.push(message('Z', Buffer.from('I')));
    session.socket.write(Buffer.concat(out));
  }

  /**
   * Runs what is waiting, one connection at a time: the owner's messages first (it is mid-way or
   * in a transaction), then the next connection in line.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        let session = this.owner;
        if (!session) {
          session = this.waiting.shift();
          if (!session) break;
          if (session.closed || session.queue.length === 0) continue;
          this.owner = session;
          this.ownedSince = performance.now();
        }
        if (session.queue.length === 0) {
          // The owner is in a transaction and has not sent its next statement yet.
          this.watchIdleOwner(session);
          break;
        }
        clearTimeout(this.idleTimer);
        this.runUnit(session);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Runs `session`'s messages up to the end of one statement (Sync, Query) or its last message. */
  private runUnit(session: Session): void {
    if (session.searchPath !== this.currentSearchPath && !this.db.isInTransaction()) {
      this.execQuiet(`SET search_path TO ${session.searchPath}`);
      this.currentSearchPath = session.searchPath;
    }
    const input: Buffer[] = [];
    let ended = false;
    let quit = false;
    while (session.queue.length > 0) {
      const msg = session.queue.shift()!;
      const type = String.fromCharCode(msg[0]!);
      if (type === 'X') {
        quit = true;
        break;
      }
      input.push(this.ownNames(session, type, msg));
      if (type === 'S' || type === 'Q') {
        ended = true;
        break;
      }
    }
    if (input.length > 0) {
      const began = this.usage ? performance.now() : 0;
      // The unit in one call (PGlite reads message after message from what it is given): a
      // statement's Parse, Bind, Describe, Execute and Sync cost one trip into Postgres, not five.
      const out = this.db
        .execProtocolRawSync(input.length === 1 ? input[0]! : Buffer.concat(input))
        .slice();
      // A transaction (or a statement outside one) ended: what it wrote is on disk before its
      // client hears that it committed.
      if (this.disk && (ended || quit) && !this.db.isInTransaction())
        this.disk.committed(this.walPosition()[0]);
      if (!session.closed && out.length > 0) session.socket.write(out);
      this.usage?.ran(session.searchPath, statementOf(input), performance.now() - began);
    }
    if (quit) {
      session.socket.end();
      this.release(session);
      return;
    }
    if (ended && !this.db.isInTransaction()) {
      this.usage?.ended(session.searchPath, performance.now() - this.ownedSince);
      this.owner = undefined;
      if (session.queue.length > 0) this.waiting.push(session);
    }
  }

  /**
   * A connection's named prepared statements and portals, renamed for the shared session: every
   * `pg` pool prepares the same names on each of its connections ("coordinator.histories"), which
   * one session would refuse as already there.
   */
  private ownNames(session: Session, type: string, msg: Buffer): Buffer {
    switch (type) {
      case 'P': {
        // Parse: statement name, query, parameter types.
        const [name, end] = cstring(msg, 5);
        if (!name) return msg;
        const own = `s${session.id}_${name}`;
        session.statements.add(own);
        return rebuild(type, [Buffer.from(`${own}\0`), msg.subarray(end)]);
      }
      case 'B': {
        // Bind: portal name, statement name, the rest.
        const [portal, afterPortal] = cstring(msg, 5);
        const [statement, afterStatement] = cstring(msg, afterPortal);
        if (!portal && !statement) return msg;
        return rebuild(type, [
          Buffer.from(`${portal ? `p${session.id}_${portal}` : ''}\0`),
          Buffer.from(`${statement ? `s${session.id}_${statement}` : ''}\0`),
          msg.subarray(afterStatement),
        ]);
      }
      case 'D':
      case 'C': {
        // Describe or Close: 'S' (statement) or 'P' (portal), then its name.
        const kind = String.fromCharCode(msg[5]!);
        const [name] = cstring(msg, 6);
        if (!name) return msg;
        const own = `${kind === 'S' ? 's' : 'p'}${session.id}_${name}`;
        if (type === 'C' && kind === 'S') session.statements.delete(own);
        return rebuild(type, [Buffer.from(kind), Buffer.from(`${own}\0`)]);
      }
      case 'E': {
        // Execute: portal name, row limit.
        const [portal, end] = cstring(msg, 5);
        if (!portal) return msg;
        return rebuild(type, [Buffer.from(`p${session.id}_${portal}\0`), msg.subarray(end)]);
      }
      default:
        return msg;
    }
  }

  /**
   * What autovacuum does in a Postgres server, which PGlite (one process, one session) never runs:
   * without it, every update's old row versions stay, and the planner, with no statistics, takes a
   * lookup of fifty keys for a quarter of the table and scans it. One table at a time, between
   * transactions, so that no one waits long (a few ms for the tables of a day's traffic).
   */
  private maintainNext(): void {
    if (this.db.closed || this.owner || this.db.isInTransaction()) return;
    if (this.disk && this.checkpointDue()) {
      this.checkpoint();
      this.pump();
      return;
    }
    if (this.toMaintain.length === 0) {
      this.toMaintain = this.rows(
        `SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
      ).map(([table]) => table!);
      if (this.toMaintain.length === 0) return;
    }
    const table = this.toMaintain.shift()!;
    const began = performance.now();
    this.execQuiet(`VACUUM (ANALYZE) ${table}`);
    const ms = performance.now() - began;
    if (ms > 1_000)
      this.logger.warn({
        msg: 'vacuuming a table of the embedded database held everyone up',
        table,
        ms: Math.round(ms),
      });
    // Whoever came while it ran goes now.
    this.pump();
  }

  /** Where the WAL stands: its position and the file it is in. */
  private walPosition(): [lsn: string, file: string] {
    const [lsn, file] =
      this.rows('SELECT pg_current_wal_lsn()::text, pg_walfile_name(pg_current_wal_lsn())', 2)[0] ??
      [];
    if (!lsn || !file) throw new Error('the embedded database did not say where its WAL stands');
    return [lsn, file];
  }

  /** Five minutes since the last checkpoint, or `checkpointWalBytes` of WAL. */
  private checkpointDue(): boolean {
    return this.disk!.checkpointDue(this.walPosition()[0], {
      everyMs: 5 * 60_000,
      walBytes: this.options.checkpointWalBytes ?? 256 * 2 ** 20,
    });
  }

  /**
   * A CHECKPOINT, then its files to disk: what Postgres's checkpointer does with fsync, and why
   * the WAL does not grow without end (Postgres lets a checkpoint's older segments go).
   */
  private checkpoint(): void {
    const began = performance.now();
    this.execQuiet('CHECKPOINT');
    const [lsn] = this.walPosition();
    const { files } = this.disk!.checkpointed(lsn);
    this.logger.log({
      msg: 'embedded database checkpoint, on disk',
      files,
      ms: Math.round(performance.now() - began),
    });
  }

  private execQuiet(sql: string): Uint8Array {
    return this.db.execProtocolRawSync(message('Q', Buffer.from(`${sql}\0`)));
  }

  /** The first `columns` columns of a simple query's rows, as text, between transactions. */
  private rows(sql: string, columns = 1): string[][] {
    return dataRows(Buffer.from(this.execQuiet(sql)), columns);
  }

  private watchIdleOwner(session: Session): void {
    clearTimeout(this.idleTimer);
    const limit = this.options.idleInTransactionMs ?? 60_000;
    if (limit <= 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.owner !== session || session.queue.length > 0) return;
      this.logger.warn({
        msg: 'a connection held the database idle in a transaction too long; cutting it off',
        idleMs: limit,
      });
      session.socket.destroy();
      this.release(session);
    }, limit);
    this.idleTimer.unref();
  }

  private forget(session: Session): void {
    session.closed = true;
    this.sessions.delete(session);
    this.release(session);
  }

  /** A connection's prepared statements go with it. */
  private forgetStatements(session: Session): void {
    if (this.db.closed || session.statements.size === 0) return;
    if (this.owner && this.owner !== session) {
      // Another connection holds the session (in a transaction): later, between its statements.
      setImmediate(() => this.forgetStatements(session));
      return;
    }
    for (const name of session.statements)
      this.execQuiet(`DEALLOCATE "${name.replace(/"/g, '""')}"`);
    session.statements.clear();
  }

  /** A connection gone: whatever it left open is rolled back, and the next one runs. */
  private release(session: Session): void {
    session.closed = true;
    const i = this.waiting.indexOf(session);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.owner !== session) {
      this.forgetStatements(session);
      return;
    }
    clearTimeout(this.idleTimer);
    this.owner = undefined;
    if (!this.db.closed) {
      // Half-way through an extended-protocol statement: end it, then roll back what it opened.
      this.db.execProtocolRawSync(message('S', Buffer.alloc(0)));
      if (this.db.isInTransaction()) this.execQuiet('ROLLBACK');
    }
    this.forgetStatements(session);
    setImmediate(() => this.pump());
  }
}

/** The SQL of a unit's Parse or simple Query, if it has one. */
function statementOf(unit: readonly Buffer[]): string | undefined {
  for (const msg of unit) {
    if (msg[0] === 0x50) return cstring(msg, cstring(msg, 5)[1])[0]; // Parse: name, then query
    if (msg[0] === 0x51) return cstring(msg, 5)[0]; // Query
  }
  return undefined;
}

/** The first `columns` columns of every DataRow ('D') in a simple query's answer, as text. */
function dataRows(answer: Buffer, columns = 1): string[][] {
  const rows: string[][] = [];
  for (let at = 0; at + 5 <= answer.length; at += answer.readInt32BE(at + 1) + 1) {
    if (answer[at] !== 0x44) continue;
    const row: string[] = [];
    let field = at + 7;
    for (let c = 0; c < Math.min(columns, answer.readInt16BE(at + 5)); c++) {
      const length = answer.readInt32BE(field);
      row.push(length < 0 ? '' : answer.toString('utf8', field + 4, field + 4 + length));
      field += 4 + Math.max(length, 0);
    }
    rows.push(row);
  }
  return rows;
}

/** The NUL-terminated string at `at`, and where what follows it starts. */
function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  return [buf.toString('utf8', at, end), end + 1];
}

/** A message of `type` made of `parts`, its length recomputed. */
function rebuild(type: string, parts: Buffer[]): Buffer {
  return message(type, Buffer.concat(parts));
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** A protocol message: its type, its length, its body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
