import { HttpException } from '@nestjs/common';
import type { DurableLog } from '@onevoice/messaging';
import type { StaffCredential } from '@onevoice/runtime';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

const MAX_BODY = 4 * 1024 * 1024;

const appendSchema = z.object({
  records: z
    .array(
      z
        .object({
          key: z.string().nullable().optional(),
          /** The value as text (a CloudEvent's JSON, say)… */
          value: z.string().nullable().optional(),
          /** …or as base64, for bytes that are not text. */
          valueBase64: z.base64().optional(),
          headers: z.record(z.string(), z.string()).optional(),
          partition: z.number().int().min(0).optional(),
        })
        .refine((r) => r.value === undefined || r.valueBase64 === undefined, {
          message: 'give value or valueBase64, not both',
        }),
    )
    .min(1)
    .max(1000),
});

/**
 * The embedded log over HTTP, for operators and tests (the embedded mode's `kcat`), with the
 * staff credential:
 * - `GET /v1/log` — each topic's partitions and their ends, each consumer group's committed offsets;
 * - `GET /v1/log/{topic}?partition=&from=&limit=` — records (value as text, or base64 when it is not);
 * - `POST /v1/log/{topic}` `{records: [{key, value | valueBase64, headers?, partition?}]}` — appends,
 *   as a producer would (what OneVoice consumes from it is checked like anything from Kafka).
 */
export function logApi(
  log: DurableLog,
  credential: StaffCredential,
): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  return (req, res, path) => {
    if (path !== '/v1/log' && !path.startsWith('/v1/log/')) return false;
    void serve(log, credential, req, res, path).catch((err: unknown) => {
      if (err instanceof HttpException) send(res, err.getStatus(), err.getResponse());
      else send(res, 500, { error: 'internal', message: (err as Error).message });
    });
    return true;
  };
}

async function serve(
  log: DurableLog,
  credential: StaffCredential,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  await credential.authenticate(req.headers.authorization);
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (path === '/v1/log') {
    if (req.method !== 'GET') return send(res, 405, { error: 'method_not_allowed' });
    const topics = Object.fromEntries(
      log.topics.map((t) => [
        t,
        Array.from({ length: log.partitions }, (_, p) => String(log.end(t, p))),
      ]),
    );
    const groups = Object.fromEntries(
      [...log.groups()].map(([g, offsets]) => [
        g,
        Object.fromEntries([...offsets].map(([tp, o]) => [tp, String(o)])),
      ]),
    );
    return send(res, 200, { partitions: log.partitions, ends: topics, groups });
  }
  const topic = path.slice('/v1/log/'.length);
  if (!log.topics.includes(topic))
    return send(res, 404, { error: 'unknown_topic', field: 'topic', message: `no topic ${topic}` });
  if (req.method === 'GET') {
    const partition = intParam(url, 'partition', 0, log.partitions - 1);
    const from = intParam(url, 'from', 0, Number.MAX_SAFE_INTEGER, 0);
    const limit = intParam(url, 'limit', 1, 1000, 500);
    const records = log.read(topic, partition, BigInt(from), limit).map((m) => {
      const text = m.value?.toString('utf8');
      const isText = text !== undefined && Buffer.from(text, 'utf8').equals(m.value!);
      return {
        partition,
        offset: m.offset,
        timestamp: Number(m.timestamp),
        key: m.key?.toString() ?? null,
        ...(m.value === null
          ? { value: null }
          : isText
            ? { value: text }
            : { valueBase64: m.value.toString('base64') }),
        headers: Object.fromEntries(
          Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]),
        ),
      };
    });
    return send(res, 200, { topic, partition, end: String(log.end(topic, partition)), records });
  }
  if (req.method === 'POST') {
    const body = await readJson(req);
    const parsed = appendSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return send(res, 400, {
        error: 'invalid_body',
        field: issue.path.join('.'),
        message: issue.message,
      });
    }
    for (const [i, r] of parsed.data.records.entries())
      if (r.partition !== undefined && r.partition >= log.partitions)
        return send(res, 400, {
          error: 'invalid_body',
          field: `records.${i}.partition`,
          message: `the log has ${log.partitions} partitions`,
        });
    const placed = await log.append(
      topic,
      parsed.data.records.map((r) => ({
        key: r.key ?? null,
        value:
          r.valueBase64 !== undefined ? Buffer.from(r.valueBase64, 'base64') : (r.value ?? null),
        headers: r.headers ?? {},
        ...(r.partition !== undefined ? { partition: r.partition } : {}),
      })),
    );
    return send(res, 201, { topic, records: placed });
  }
  return send(res, 405, { error: 'method_not_allowed' });
}

function intParam(url: URL, name: string, min: number, max: number, fallback?: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null && fallback !== undefined) return fallback;
  const n = Number(raw ?? 'x');
  if (!Number.isInteger(n) || n < min || n > max)
    throw new HttpException(
      {
        error: 'invalid_query',
        field: name,
        message: `must be an integer from ${min} to ${max}`,
      },
      400,
    );
  return n;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new HttpException({ error: 'too_large', field: 'body', message: 'at most 4 MiB' }, 413);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpException(
      { error: 'invalid_json', field: 'body', message: 'the body is not JSON' },
      400,
    );
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
