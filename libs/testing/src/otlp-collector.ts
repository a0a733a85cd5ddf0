import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as the services exported it over OTLP/HTTP (JSON encoding). */
export interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttr {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttr[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttr[];
      }[];
    }[];
  }[];
}

const attrs = (list: OtlpAttr[] = []) =>
  Object.fromEntries(
    list.map((a) => [
      a.key,
      a.value.stringValue ?? a.value.intValue ?? a.value.boolValue ?? a.value.doubleValue,
    ]),
  );

/**
 * A minimal OTLP/HTTP trace receiver: the services under test export to it as to any collector,
 * and specs ask it for the spans of a trace (`GET /spans?traceId=…`).
 */
export class OtlpCollector {
  private readonly spans: CollectedSpan[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://collector');
        if (req.method === 'POST' && url.pathname === '/v1/traces') {
          try {
            this.ingest(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
            res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          } catch {
            res.writeHead(400).end();
          }
          return;
        }
        if (req.method === 'GET' && url.pathname === '/spans') {
          const traceId = url.searchParams.get('traceId');
          const found = this.spans.filter((s) => !traceId || s.traceId === traceId);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found));
          return;
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private ingest(body: OtlpExport): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = String(attrs(rs.resource?.attributes)['service.name'] ?? 'unknown');
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            service,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            name: s.name,
            kind: s.kind,
            attributes: attrs(s.attributes),
          });
        }
      }
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
