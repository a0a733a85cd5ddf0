import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import { inProcessStream } from './in-process-connections';

export interface ServiceDatabaseOptions {
  url: string;
  /** The service's own schema; no service reads another's. */
  schema: string;
  migrations: (new () => MigrationInterface)[];
  /** Bounds on the service's connections (`databasePool` in libs/runtime reads them from env). */
  pool?: {
    size: number;
    /** 0: no limit. */
    statementTimeoutMs: number;
    /** 0: never. */
    idleInTransactionTimeoutMs: number;
    connectTimeoutMs: number;
  };
}

const logger = new Logger('Database');

/** Creates the database named in `url` when it does not exist yet (first run on a machine). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new Error(`DATABASE_URL names an unusual database: ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
        logger.log({ msg: 'created database', database: name });
      } catch (err) {
        // Another service created it at the same moment (42P04, or 23505 when the race is
        // lost inside the catalog).
        const code = (err as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw err;
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * Opens a service's TypeORM data source on its own schema and brings the schema up to date with
 * its migrations (never `synchronize`). Several instances starting at once take turns through a
 * Postgres advisory lock.
 */
export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<DataSource> {
  if (!/^[a-z_]+$/.test(options.schema)) throw new Error(`bad schema name: ${options.schema}`);
  await ensureDatabase(options.url);
  const stream = inProcessStream(options.url);
  const sourceWith = (extra: Record<string, unknown>) =>
    new DataSource({
      type: 'postgres',
      url: options.url,
      schema: options.schema,
      synchronize: false,
      migrationsRun: false,
      migrations: options.migrations,
      migrationsTableName: 'migrations',
      extra: {
        application_name: `onevoice-${options.schema}`,
        // Unqualified names in a service's SQL mean its own schema. No JIT: the services' queries
        // are short and per batch, and a planner estimate above `jit_above_cost` (stale statistics
        // after a burst) made Postgres compile each one again — measured at 40–50 ms of a 60–150
        // ms ledger read under load (auto_explain, `npm run bench:coordinator`).
        options: `-c search_path=${options.schema} -c jit=off`,
        // The embedded database, served by this very process: no TCP in between.
        ...(stream ? { stream } : {}),
        ...extra,
      },
    });
  // Migrations on connections of their own, without the statement limit: another instance's
  // migration may hold the lock for long, and so may this one's.
  const migrator = sourceWith({ max: 2 });
  await migrator.initialize();
  try {
    await migrate(migrator, options.schema);
  } finally {
    await migrator.destroy();
  }
  const pool = options.pool;
  const dataSource = sourceWith({
    max: pool?.size ?? 10,
    // No wait is unbounded: for a connection, a statement (or its lock), an idle transaction.
    connectionTimeoutMillis: pool?.connectTimeoutMs ?? 10_000,
    statement_timeout: pool?.statementTimeoutMs ?? 30_000,
    idle_in_transaction_session_timeout: pool?.idleInTransactionTimeoutMs ?? 60_000,
  });
  await dataSource.initialize();
  return dataSource;
}

/** Brings `schema` up to date, one instance at a time (a Postgres advisory lock). */
async function migrate(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`onevoice:migrate:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) {
        logger.log({ msg: 'applied migrations', schema, migrations: applied.map((m) => m.name) });
      }
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`onevoice:migrate:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * The rows an UPDATE or DELETE … RETURNING returned: TypeORM answers those with `[rows, count]`
 * for pg, a SELECT with its rows.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && Array.isArray(result[0])) return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}

/**
 * Rows an UPDATE or DELETE affected, from what TypeORM answers for pg (`[rows, count]`; a
 * SELECT's rows otherwise).
 */
export function affectedRows(result: unknown): number {
  if (Array.isArray(result) && typeof result[1] === 'number') return result[1];
  if (Array.isArray(result)) return result.length;
  return 0;
}
