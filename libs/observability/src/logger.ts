import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { LoggerService, LogLevel } from '@nestjs/common';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const COLOURS: Record<LogLevel, string> = {
  fatal: '\x1b[35m',
  error: '\x1b[31m',
  warn: '\x1b[33m',
  log: '\x1b[32m',
  debug: '\x1b[36m',
  verbose: '\x1b[90m',
};

export interface LoggerOptions {
  service: string;
  /** `json`: one JSON object a line (production); `pretty`: readable lines (development). */
  format: 'json' | 'pretty';
  level: LogLevel;
}

/**
 * A structured Nest logger. Every line carries the service and, inside a span, the trace and
 * span ids, so a log line leads to its trace and back. Never log contact details.
 */
export class StructuredLogger implements LoggerService {
  private readonly threshold: number;

  constructor(private readonly options: LoggerOptions) {
    this.threshold = LEVELS.indexOf(options.level);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (LEVELS.indexOf(level) > this.threshold) return;
    // Nest passes the context (logger name) last, and a stack before it for errors.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const stack =
      typeof args[0] === 'string' && level === 'error' ? (args.shift() as string) : undefined;
    const active = trace.getActiveSpan()?.spanContext();
    const span = active && isSpanContextValid(active) ? active : undefined;
    const fields = isRecord(message) ? message : { msg: stringify(message) };
    const line = {
      // Logs are read beside other systems' logs: the machine's time, not the service's clock.
      // eslint-disable-next-line no-restricted-syntax
      time: new Date().toISOString(),
      level,
      service: this.options.service,
      ...(context ? { context } : {}),
      ...fields,
      ...(args.length ? { extra: args.map(stringify) } : {}),
      ...(stack ? { stack } : {}),
      ...(span ? { trace_id: span.traceId, span_id: span.spanId } : {}),
    };
    const out = level === 'error' || level === 'fatal' ? process.stderr : process.stdout;
    if (this.options.format === 'json') {
      out.write(`${JSON.stringify(line)}\n`);
      return;
    }
    const {
      time,
      level: _l,
      service: _s,
      context: ctx,
      msg,
      trace_id,
      span_id: _sp,
      stack: st,
      ...more
    } = line as Record<string, unknown>;
    const colour = process.stdout.isTTY || process.env.FORCE_COLOR ? COLOURS[level] : '';
    const reset = colour ? '\x1b[0m' : '';
    const extras = Object.keys(more).length ? ` ${JSON.stringify(more)}` : '';
    const traceTag = trace_id ? ` trace=${String(trace_id)}` : '';
    out.write(
      `${String(time).slice(11, 23)} ${colour}${level.toUpperCase().padEnd(5)}${reset} ` +
        `[${String(ctx ?? this.options.service)}] ${String(msg ?? '')}${extras}${traceTag}\n` +
        (st ? `${String(st)}\n` : ''),
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Error);
}

function stringify(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
