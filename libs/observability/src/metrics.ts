import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The service's own metrics, read by Prometheus from `GET /metrics` on the service's HTTP port
 * (the exporter's own server is not started).
 *
 * The provider is not registered as OpenTelemetry's global one on purpose: the HTTP and Postgres
 * instrumentations would then record a histogram for every request and every query, which
 * costs the hot path and says less than the traces do. What is here is what OneVoice counts.
 */
class ServiceMetrics {
  readonly exporter = new PrometheusExporter({
    preventServerStart: true,
    // Prometheus labels the scrape with its job and instance; the SDK's scope and target
    // series would only repeat them.
    withoutScopeInfo: true,
    withoutTargetInfo: true,
  });
  readonly provider = new MeterProvider({ readers: [this.exporter] });
}

// One per process, made on first use, never shut down: Prometheus pulls, so nothing waits to be
// flushed at exit, and instruments made when their module loads stay valid for the process.
let current: ServiceMetrics | undefined;
const instance = () => (current ??= new ServiceMetrics());

/** The meter OneVoice's instruments are made from (named after what measures). */
export function serviceMeter(name: string): Meter {
  return instance().provider.getMeter(name);
}

/** Serves the Prometheus text exposition of every instrument made so far. */
export function serveMetrics(request: IncomingMessage, response: ServerResponse): void {
  instance().exporter.getMetricsRequestHandler(request, response);
}
