import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

/**
 * The SDK runs in a process of its own, as in a service: its OTLP exporters load their HTTP
 * agent with a dynamic import, which Jest's module registry does not run.
 */
const script = `
const { metrics, trace } = require('@opentelemetry/api');
const { startTracing, stopTracing } = require(${JSON.stringify(resolve(__dirname, 'tracing.ts'))});
startTracing('tracing-spec');
trace.getTracer('spec').startSpan('a span').end();
// Recorded through the API, as an instrumentation would: it must go nowhere.
metrics.getMeter('spec').createCounter('spec.count').add(1);
const started = Date.now();
stopTracing().then(() => console.log(JSON.stringify({ stopMs: Date.now() - started })));
`;

describe('startTracing', () => {
  let server: Server;
  let endpoint: string;
  const received: string[] = [];

  beforeAll(async () => {
    // An OTLP endpoint that takes anything and remembers where it was sent.
    server = createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((r) => server.close(r)));

  it('exports traces and nothing else, and stops without retrying anything', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: resolve(__dirname, '../../..'),
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: 'false' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((r) => child.on('exit', r));

    expect(code).toBe(0);
    expect(received).toEqual(['POST /v1/traces']);
    // Flushed once, not retried (a refused or failed export is retried for seconds).
    expect((JSON.parse(out) as { stopMs: number }).stopMs).toBeLessThan(3_000);
  });
});
