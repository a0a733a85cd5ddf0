import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { REPO_ROOT } from './paths';

const run = promisify(execFile);

export interface Infrastructure {
  brokers: string[];
  /** The server's URL; each test run makes its own database on it. */
  serverUrl: string;
  kind: 'environment' | 'testcontainers' | 'local';
  stop(): Promise<void>;
}

/**
 * Real Kafka and Postgres for integration tests, in this order of preference:
 * 1. KAFKA_BROKERS / DATABASE_URL from the environment (each overrides its own part);
 * 2. testcontainers, where a Docker engine answers;
 * 3. the local services: the broker deploy/local/kafka.sh runs, and Postgres on 127.0.0.1:5432.
 */
export async function provideInfrastructure(log: (line: string) => void): Promise<Infrastructure> {
  const envBrokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  const envDb = process.env.DATABASE_URL;
  if (envBrokers && envDb) {
    log(`using KAFKA_BROKERS=${envBrokers.join(',')} and DATABASE_URL from the environment`);
    return {
      brokers: envBrokers,
      serverUrl: envDb,
      kind: 'environment',
      stop: async () => undefined,
    };
  }
  if (await dockerAnswers()) {
    log('a Docker engine answers: starting Kafka and Postgres with testcontainers');
    return startContainers(envBrokers, envDb);
  }
  const brokers = envBrokers ?? ['127.0.0.1:9092'];
  if (!envBrokers && !(await portAnswers('127.0.0.1', 9092))) {
    log(
      'no Docker engine and no broker on 127.0.0.1:9092: starting one with deploy/local/kafka.sh',
    );
    await run('bash', [resolve(REPO_ROOT, 'deploy/local/kafka.sh'), 'start'], { timeout: 300_000 });
  }
  const serverUrl = envDb ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  log(`using the local broker ${brokers.join(',')} and Postgres at ${redact(serverUrl)}`);
  return { brokers, serverUrl, kind: 'local', stop: async () => undefined };
}

async function dockerAnswers(): Promise<boolean> {
  if (process.env.OV_TESTCONTAINERS === 'off') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5_000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

async function startContainers(envBrokers?: string[], envDb?: string): Promise<Infrastructure> {
  const stops: (() => Promise<unknown>)[] = [];
  let brokers = envBrokers;
  if (!brokers) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.7.1')
      .withKraft()
      // As deploy/local: OneVoice creates its topics; one node has nothing to wait for.
      .withEnvironment({
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      })
      .start();
    stops.push(() => kafka.stop());
    brokers = [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`];
  }
  let serverUrl = envDb;
  if (!serverUrl) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const pg = await new PostgreSqlContainer('postgres:16-alpine').start();
    stops.push(() => pg.stop());
    serverUrl = pg.getConnectionUri();
  }
  return {
    brokers,
    serverUrl,
    kind: 'testcontainers',
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

export function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolvePromise(false);
    });
  });
}

/** Makes a fresh database for one test run on the server, and returns its URL. */
export async function createTestDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `onevoice_test_${Date.now()}_${process.pid}`;
  const admin = withDatabase(serverUrl, 'postgres');
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  return {
    url: withDatabase(serverUrl, name),
    drop: async () => {
      const c = new Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
