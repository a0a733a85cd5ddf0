import type { DynamicModule } from '@nestjs/common';
import { ALL_TOPICS } from '@onevoice/contracts';
import { DurableLog, EmbeddedBus } from '@onevoice/messaging';
import type { StructuredLogger } from '@onevoice/observability';
import { EmbeddedPostgres } from '@onevoice/persistence';
import {
  clockFromEnv,
  createServiceApp,
  ReadinessRegistry,
  StaffCredential,
  type BaseEnv,
  type RunningService,
  type ServiceDefinition,
} from '@onevoice/runtime';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { BehaviourProfilerModule } from '../../behaviour-profiler/src/behaviour-profiler.module';
import { loadBehaviourProfilerEnv } from '../../behaviour-profiler/src/config/env';
import { loadCoordinatorEnv } from '../../coordinator/src/config/env';
import { CoordinatorModule } from '../../coordinator/src/coordinator.module';
import { loadDispatcherEnv } from '../../dispatcher/src/config/env';
import { DispatcherModule } from '../../dispatcher/src/dispatcher.module';
import { loadIngestEnv } from '../../ingest/src/config/env';
import { IngestModule } from '../../ingest/src/ingest.module';
import { loadSurveyThrottlerEnv } from '../../survey-throttler/src/config/env';
import { SurveyThrottlerModule } from '../../survey-throttler/src/survey-throttler.module';
import { loadEmbeddedEnv } from './config/env';
import { frontDoor } from './front-door';
import { logApi } from './log-api';

type ServiceEnv = BaseEnv & { PORT: number };

/** The five services, as each one's main.ts starts it alone. */
const SERVICES: {
  name: string;
  definition(env: NodeJS.ProcessEnv): { module: DynamicModule; env: ServiceEnv };
  forms?: boolean;
}[] = [
  {
    name: 'ingest',
    definition: (e) => {
      const env = loadIngestEnv(e);
      return { module: IngestModule.forRoot(env), env };
    },
  },
  {
    name: 'behaviour-profiler',
    definition: (e) => {
      const env = loadBehaviourProfilerEnv(e);
      return { module: BehaviourProfilerModule.forRoot(env), env };
    },
    // The preference centre's form and one-click unsubscribe post forms.
    forms: true,
  },
  {
    name: 'coordinator',
    definition: (e) => {
      const env = loadCoordinatorEnv(e);
      return { module: CoordinatorModule.forRoot(env), env };
    },
  },
  {
    name: 'dispatcher',
    definition: (e) => {
      const env = loadDispatcherEnv(e);
      return { module: DispatcherModule.forRoot(env), env };
    },
  },
  {
    name: 'survey-throttler',
    definition: (e) => {
      const env = loadSurveyThrottlerEnv(e);
      return { module: SurveyThrottlerModule.forRoot(env), env };
    },
  },
];

export interface EmbeddedOneVoice {
  /** Where its HTTP APIs answer. */
  url: string;
  /** Its database, served to `psql` and tools as to its own services. */
  databaseUrl: string;
  log: DurableLog;
  stop(): Promise<void>;
}

/**
 * OneVoice embedded: the five services (the same Nest modules, handlers and gate as in the
 * distributed mode) in this process, over a durable log in place of Kafka and PGlite in place of
 * a Postgres server, both kept under `OV_DATA_DIR`, with their HTTP APIs on one port.
 */
export async function startEmbedded(
  processEnv: NodeJS.ProcessEnv,
  logger: StructuredLogger,
  onFatal: (error: Error) => void,
): Promise<EmbeddedOneVoice> {
  const started = performance.now();
  const host = loadEmbeddedEnv(processEnv);
  const dataDir = resolve(host.OV_DATA_DIR);
  const publicUrl = (host.OV_PUBLIC_URL ?? `http://127.0.0.1:${host.PORT}`).replace(/\/$/, '');
  // Each service's own settings are checked before anything opens: a bad one stops the start.
  const env: NodeJS.ProcessEnv = {
    ...processEnv,
    OV_DATA_DIR: dataDir,
    OV_PREFERENCE_CENTRE_URL: processEnv.OV_PREFERENCE_CENTRE_URL ?? publicUrl,
    OV_DISPATCHER_PUBLIC_URL: processEnv.OV_DISPATCHER_PUBLIC_URL ?? publicUrl,
    // Replaced below by the embedded database's address.
    DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres',
  };
  for (const s of SERVICES) s.definition(env);

  const db = await EmbeddedPostgres.open({
    dataDir: join(dataDir, 'embedded', 'db'),
    port: host.OV_EMBEDDED_DB_PORT,
    usageEveryMs: host.OV_EMBEDDED_DB_USAGE_MS,
  });
  logger.log({
    msg: 'embedded database open',
    dir: join(dataDir, 'embedded', 'db'),
    url: db.url,
    ms: Math.round(performance.now() - started),
  });
  env.DATABASE_URL = db.url;
  // The five services' pools reach it in-process; psql and tools over its TCP port.
  db.serveInProcess();
  let log: DurableLog | undefined;
  const running: (RunningService & { name: string })[] = [];
  let server: Server | undefined;
  const stop = async () => {
    logger.log({ msg: 'stopping' });
    if (server) await new Promise<void>((done) => server!.close(() => done()));
    server?.closeAllConnections();
    // Consumers first (their batches in flight finish and commit), then the services.
    for (const s of running) await s.transport.close();
    for (const s of [...running].reverse()) await s.app.close();
    await log?.close();
    await db.close();
    logger.log({ msg: 'stopped: the database and the log are closed cleanly' });
  };
  try {
    log = DurableLog.open({
      dir: join(dataDir, 'embedded', 'log'),
      partitions: host.OV_PARTITIONS,
      topics: ALL_TOPICS,
    });
    const bus = new EmbeddedBus(log);
    // One clock for the five: they must agree on what time it is, as services on one machine do.
    const clock = clockFromEnv(host);
    if (host.OV_CLOCK === 'manual')
      logger.warn({
        msg: 'manual clock (tests only): PUT /v1/test/clock moves it',
        now: clock.now(),
      });
    for (const s of SERVICES) {
      const { module, env: serviceEnv } = s.definition(env);
      const def: ServiceDefinition = { name: s.name, module, env: serviceEnv, forms: s.forms };
      const service = await createServiceApp(def, { bus, clock, logger, onFatal });
      running.push({ ...service, name: s.name });
      await service.app.init();
    }
    for (const s of running) await s.app.startAllMicroservices();

    const staff = running.find((s) => s.name === 'coordinator')!.app.get(StaffCredential);
    const logEndpoints = logApi(log, staff);
    const extra = (req: IncomingMessage, res: ServerResponse, path: string) => {
      if (path === '/health/ready' && req.method === 'GET') {
        // One service's readiness, as it answers when it runs alone: ?service=coordinator
        const one = new URL(req.url ?? '/', 'http://localhost').searchParams.get('service');
        if (one !== null) {
          const service = running.find((s) => s.name === one);
          if (!service) return false;
          void service.app
            .get(ReadinessRegistry)
            .evaluate()
            .then((result) => {
              res.writeHead(result.ready ? 200 : 503, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ status: result.ready ? 'ready' : 'not_ready', ...result }));
            });
          return true;
        }
        void readiness(running).then(({ ready, services }) => {
          res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ status: ready ? 'ready' : 'not_ready', mode: 'embedded', services }),
          );
        });
        return true;
      }
      if (path === '/' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(index(publicUrl)));
        return true;
      }
      return logEndpoints(req, res, path);
    };
    server = createServer(frontDoor(running, extra));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((done, fail) => {
      server!.once('error', fail);
      server!.listen(host.PORT, host.HOST, () => done());
    });
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  logger.log({
    msg: 'OneVoice (embedded) listening',
    url: publicUrl,
    data: dataDir,
    ms: Math.round(performance.now() - started),
  });
  return { url: publicUrl, databaseUrl: db.url, log, stop };
}

async function readiness(running: readonly (RunningService & { name: string })[]) {
  const services: Record<string, unknown> = {};
  let ready = true;
  for (const s of running) {
    const result = await s.app.get(ReadinessRegistry).evaluate();
    ready &&= result.ready;
    services[s.name] = result;
  }
  return { ready, services };
}

function index(url: string) {
  return {
    name: 'OneVoice',
    mode: 'embedded',
    send: `POST ${url}/v1/events`,
    timeline: `GET ${url}/v1/customers/{customerId}/timeline`,
    preferences: `${url}/preferences/{customerId}?token=…`,
    health: `${url}/health/ready`,
    metrics: `${url}/metrics`,
    log: `GET ${url}/v1/log (staff credential)`,
    docs: 'README.md, docs/',
  };
}
