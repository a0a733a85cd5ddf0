import {
  Logger,
  Module,
  type DynamicModule,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  KafkaConnection,
  MessageBus,
  MessagingModule,
  type ConsumingTransport,
} from '@onevoice/messaging';
import type { Clock } from '@onevoice/clock';
import { StructuredLogger, stopTracing } from '@onevoice/observability';
import express from 'express';
import { DataSource } from 'typeorm';
import { ClockModule, clockFromEnv } from './clock.module';
import type { BaseEnv } from './env';
import { ServiceExceptionFilter } from './exception-filter';
import { bodyErrorHandler } from './http-errors';
import { HttpRouteTracingInterceptor } from './http-route-tracing';
import { HealthModule, ReadinessRegistry } from './readiness';

export interface ServiceDefinition {
  /** The service's name: its logs, traces, Kafka client id and consumer group. */
  name: string;
  /** The service's own feature module. */
  module: Type | DynamicModule;
  env: BaseEnv & { PORT: number };
  /** Largest HTTP body accepted. */
  bodyLimit?: string;
  /** Also parse HTML form posts (application/x-www-form-urlencoded): pages and one-click links. */
  forms?: boolean;
}

export interface RunningService {
  app: INestApplication;
  transport: ConsumingTransport;
  stop(): Promise<void>;
}

/** The process-wide logger, so that code outside Nest (start-up errors) logs the same way. */
export function createLogger(
  service: string,
  env: Pick<BaseEnv, 'LOG_FORMAT' | 'LOG_LEVEL'>,
): StructuredLogger {
  return new StructuredLogger({
    service,
    format: env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    level: env.LOG_LEVEL,
  });
}

/**
 * Starts one OneVoice service over Kafka: its HTTP server (with health and readiness), and its
 * Kafka consumer as a Nest microservice transport. Feature modules know nothing of either, so the
 * same modules run over the in-process log of the embedded mode (apps/onevoice).
 */
export async function runService(def: ServiceDefinition): Promise<RunningService> {
  const logger = createLogger(def.name, def.env);
  Logger.overrideLogger(logger);
  const clock = clockFromEnv(def.env);
  if (def.env.OV_CLOCK === 'manual')
    logger.warn({
      msg: 'manual clock (tests only): PUT /v1/test/clock moves it',
      now: clock.now(),
    });
  const bus = new KafkaConnection({
    brokers: def.env.KAFKA_BROKERS,
    clientId: `onevoice-${def.name}`,
    partitions: def.env.OV_PARTITIONS,
  });
  const started: { service?: RunningService } = {};
  const onFatal = (error: Error) => {
    logger.fatal({
      msg: 'Kafka consumer stopped for good; exiting so a supervisor restarts us',
      error: error.message,
    });
    void (started.service?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  };
  const service = (started.service = await createServiceApp(def, {
    bus,
    clock,
    logger,
    onFatal,
  }));
  await service.app.startAllMicroservices();
  await service.app.listen(def.env.PORT, def.env.HOST);
  logger.log({
    msg: `${def.name} listening`,
    port: def.env.PORT,
    health: `http://127.0.0.1:${def.env.PORT}/health/ready`,
  });
  return service;
}

/**
 * Builds one service's Nest application over `bus`, on `clock`: its modules, HTTP pipeline
 * (bodies, errors, tracing), consuming transport and readiness checks — not yet consuming or
 * listening. The distributed mode gives each its own process and port; the embedded mode hosts
 * all five in one process behind one port.
 */
export async function createServiceApp(
  def: ServiceDefinition,
  runtime: {
    bus: MessageBus;
    clock: Clock;
    logger: StructuredLogger;
    onFatal?: (error: Error) => void;
  },
): Promise<RunningService> {
  const { bus, logger } = runtime;

  @Module({
    imports: [
      MessagingModule.forConnection(bus),
      HealthModule,
      ClockModule.forRoot(runtime.clock),
      def.module,
    ],
  })
  class ServiceRootModule {}

  const app = await NestFactory.create(ServiceRootModule, { logger, bodyParser: false });
  app.use(
    express.json({
      // Any JSON value parses; what it should have been is the controller's to say.
      strict: false,
      limit: def.bodyLimit ?? '1mb',
      type: ['application/json', 'application/*+json'],
      // Signed callbacks are checked against the bytes that were signed.
      verify: (req, _res, buf) => {
        (req as { rawBody?: Buffer }).rawBody = buf;
      },
    }),
  );
  if (def.forms) app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(bodyErrorHandler);
  app.useGlobalInterceptors(new HttpRouteTracingInterceptor());
  app.useGlobalFilters(new ServiceExceptionFilter(app.getHttpAdapter()));

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.log({ msg: 'stopping', service: def.name });
      await app.close();
      await stopTracing();
    })());

  const transport = bus.consumer(
    {
      groupId: def.env.OV_CONSUMER_GROUP ?? `${def.env.OV_CONSUMER_GROUP_PREFIX}-${def.name}`,
      fromBeginning: def.env.OV_CONSUMER_START === 'earliest',
      sessionTimeoutMs: def.env.OV_KAFKA_SESSION_TIMEOUT_MS,
      concurrency: def.env.OV_KAFKA_CONCURRENCY,
      fetchMinBytes: def.env.OV_KAFKA_FETCH_MIN_BYTES,
      fetchMaxWaitMs: def.env.OV_KAFKA_FETCH_MAX_WAIT_MS,
    },
    runtime.onFatal,
  );
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });

  const readiness = app.get(ReadinessRegistry);
  readiness.register(bus.kind === 'kafka' ? 'kafka' : 'log', () => {
    const s = transport.readinessState();
    return { ok: s.ready, detail: { state: s.state, assignment: s.assignment } };
  });
  readiness.register(bus.kind === 'kafka' ? 'kafka-producer' : 'log-writer', () =>
    bus.publishReadiness(),
  );
  const dataSource = app.get(DataSource, { strict: false });
  readiness.register('database', async () => {
    await dataSource.query('SELECT 1');
    return { ok: true };
  });
  return { app, transport, stop };
}

/**
 * The body of every service's main.ts: run it, stop cleanly on SIGINT/SIGTERM, and fail fast
 * with a readable message when start-up goes wrong.
 */
export function main(start: () => Promise<RunningService>, name: string): void {
  let running: RunningService | undefined;
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    new Logger(name).log({ msg: `received ${signal}` });
    const done = running ? running.stop() : Promise.resolve();
    done.then(
      () => process.exit(0),
      (err: unknown) => {
        new Logger(name).error({ msg: 'unclean shutdown', error: String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  start().then(
    (service) => {
      running = service;
      if (signalled) void service.stop().then(() => process.exit(0));
    },
    (err: unknown) => {
      process.stderr.write(`${name} failed to start: ${startFailure(err as Error, name)}\n`);
      process.exit(1);
    },
  );
}

/** Why a service could not start, in words its operator can act on (a stack only when unknown). */
export function startFailure(
  error: Error & { code?: string; port?: number },
  name: string,
): string {
  if (error.name === 'ConfigError') return error.message;
  if (error.code === 'EADDRINUSE')
    return `port ${error.port ?? '(unknown)'} is taken by another process: stop it, or give ${name} another port (PORT; with npm start, ${name.toUpperCase().replaceAll('-', '_')}_PORT)`;
  return error.stack ?? String(error);
}
