import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry for a service. Call it before anything loads `http` or `pg` (each app's
 * `instrument.ts`, imported first by its main.ts). Traces are exported over OTLP/HTTP when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set, and not at all otherwise; the
 * W3C trace context is propagated either way, so logs still carry trace ids.
 */
export function startTracing(serviceName: string): void {
  if (sdk) return;
  if (process.env.OTEL_LOG_LEVEL === 'debug') {
    diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.DEBUG);
  }
  const exporting =
    process.env.OTEL_SDK_DISABLED !== 'true' &&
    Boolean(
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    );
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? serviceName,
      [ATTR_SERVICE_VERSION]: process.env.npm_package_version ?? '0.1.0',
    }),
    // Without an exporter spans are still made (and dropped), so trace ids propagate and
    // appear in logs.
    spanProcessors: [
      exporting ? new BatchSpanProcessor(new OTLPTraceExporter()) : new NoopSpanProcessor(),
    ],
    instrumentations: [
      new HttpInstrumentation({
        // Health probes and metric scrapes would drown the traces that matter.
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)\b/.test(req.url ?? ''),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
    // Traces only. Left unset, the SDK would also export metrics (every minute) and logs over
    // OTLP — to localhost:4318 when no endpoint is set — and its last export at shutdown, retried
    // against a collector that is not there (or takes traces only), held every stop up by seconds.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
}

/** Flushes and stops tracing; part of a clean shutdown. */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (running) await running.shutdown();
}
