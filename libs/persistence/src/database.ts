import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  /** The service's own schema; no service reads another's. */
  schema: string;
  migrations: (new () => MigrationInterface)[];
  poolSize?: number;
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
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    synchronize: false,
    migrationsRun: false,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    extra: {
      max: options.poolSize ?? 10,
      application_name: `onevoice-${options.schema}`,
      // Unqualified names in a service's SQL mean its own schema. No JIT: the services' queries
      // are short and per batch, and a planner estimate above `jit_above_cost` (stale statistics
      // after a burst) made Postgres compile each one again — measured at 40–50 ms of a 60–150 ms
      // ledger read under load (auto_explain, `npm run bench:coordinator`).
      options: `-c search_path=${options.schema} -c jit=off`,
    },
  });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [
      `onevoice:migrate:${options.schema}`,
    ]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) {
        logger.log({
          msg: 'applied migrations',
          schema: options.schema,
          migrations: applied.map((m) => m.name),
        });
      }
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [
        `onevoice:migrate:${options.schema}`,
      ]);
    }
  } finally {
    await runner.release();
  }
  return dataSource;
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
