import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';

/** W3C trace context (`traceparent`, `tracestate`) in Kafka headers. */
const headerGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

export function extractTraceContext(
  headers: IHeaders | Record<string, string> | undefined,
): Context {
  return propagation.extract(ROOT_CONTEXT, headers ?? {}, headerGetter);
}

export function injectTraceContext(
  into: Record<string, string> = {},
  from: Context = context.active(),
): Record<string, string> {
  propagation.inject(from, into, recordSetter);
  return into;
}
