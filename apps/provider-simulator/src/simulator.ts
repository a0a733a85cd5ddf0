import express, { type Express, type Request, type Response } from 'express';
import { createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * A stand-in for the SMS, voice and push providers OneVoice talks to (in the shape of a
 * Twilio-style API), for local runs and tests: it accepts messages, honours idempotency keys,
 * reports status, calls back signed, and misbehaves on demand — latency, 5xx and 429 errors,
 * accept-then-timeout (it takes the message, then answers too late), accept-then-reset, records
 * that catch up late, and 409 for a key whose first request is still being answered.
 */

export interface Chaos {
  /** Added to every answer. */
  latencyMs: number;
  /** Share of requests answered 503 without taking the message (0..1). */
  errorRate: number;
  /** Share of requests taken, then answered only after `timeoutMs` (0..1). */
  timeoutRate: number;
  timeoutMs: number;
  /** The next N requests are answered 503: deterministic failures for tests. */
  failNext: number;
  /** The next N requests are taken, then answered late. */
  timeoutNext: number;
  /** The next N messages are taken, then reported `failed` (a dead number, a phone switched off). */
  undeliverableNext: number;
  /**
   * The next N messages taken are reported (delivered or failed) only `lateReportMs` after
   * they were taken: a carrier's receipt that comes after the caller gave up on its answer.
   */
  reportLateNext: number;
  lateReportMs: number;
  /** The next N requests are taken, then the connection is reset with no answer. */
  resetNext: number;
  /** The next N requests are answered 429 (too many requests) without taking the message. */
  throttleNext: number;
  /**
   * The next N messages taken are found by their idempotency key (`GET /v1/messages`) only
   * `recordLagMs` after they were taken: a provider whose records catch up late.
   */
  recordLateNext: number;
  recordLagMs: number;
}

/**
 * A request that reached the simulator: `accepted` (taken, a new message), `duplicate` (its key
 * was taken before: the same message, not sent again), `conflict` (its key's first request was
 * still being answered: 409), `refused` (503 or 429: not taken).
 */
export interface Attempt {
  idempotencyKey?: string;
  outcome: 'accepted' | 'duplicate' | 'conflict' | 'refused';
}

export interface SimulatedMessage {
  sid: string;
  channel: 'sms' | 'voice' | 'push';
  to: string;
  body: string;
  idempotencyKey?: string;
  status: 'accepted' | 'delivered' | 'failed';
  createdAt: string;
  statusCallback?: string;
}

const messageBody = z.object({
  channel: z.enum(['sms', 'voice', 'push']),
  to: z.string().min(1).max(200),
  body: z.string().min(1).max(5000),
  statusCallback: z.url().optional(),
});

const chaosBody = z
  .object({
    latencyMs: z.number().int().min(0).max(60_000),
    errorRate: z.number().min(0).max(1),
    timeoutRate: z.number().min(0).max(1),
    timeoutMs: z.number().int().min(0).max(300_000),
    failNext: z.number().int().min(0),
    timeoutNext: z.number().int().min(0),
    undeliverableNext: z.number().int().min(0),
    reportLateNext: z.number().int().min(0),
    lateReportMs: z.number().int().min(0).max(300_000),
    resetNext: z.number().int().min(0),
    throttleNext: z.number().int().min(0),
    recordLateNext: z.number().int().min(0),
    recordLagMs: z.number().int().min(0).max(300_000),
  })
  .partial()
  .strict();

export interface SimulatorOptions {
  chaos?: Partial<Chaos>;
  /**
   * Signs status callbacks and inbound messages: HMAC-SHA256, hex, of `<timestamp>.<body>`, in
   * `x-provider-signature`, the timestamp (seconds since 1970) in `x-provider-timestamp`.
   */
  callbackSecret: string;
  /** How long after acceptance a message counts as delivered. */
  deliverAfterMs?: number;
  /** Where customers' replies are posted (the dispatcher's inbound webhook). */
  inboundUrl?: string;
  random?: () => number;
}

export function signCallback(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The headers a signed callback carries, signed now. */
export function signedHeaders(secret: string, body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/json',
    'x-provider-timestamp': timestamp,
    'x-provider-signature': signCallback(secret, timestamp, body),
  };
}

export function createSimulator(options: SimulatorOptions): {
  app: Express;
  chaos: Chaos;
  messages: Map<string, SimulatedMessage>;
  /** Requests that reached the simulator, taken or refused: what a test counts. */
  attempts: Attempt[];
} {
  const chaos: Chaos = {
    latencyMs: 0,
    errorRate: 0,
    timeoutRate: 0,
    timeoutMs: 30_000,
    failNext: 0,
    timeoutNext: 0,
    undeliverableNext: 0,
    reportLateNext: 0,
    lateReportMs: 20_000,
    resetNext: 0,
    throttleNext: 0,
    recordLateNext: 0,
    recordLagMs: 5_000,
    ...options.chaos,
  };
  const random = options.random ?? Math.random;
  const messages = new Map<string, SimulatedMessage>();
  const byKey = new Map<string, string>();
  const attempts: Attempt[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const app = express();
  app.use(express.json({ limit: '64kb' }));

  const invalid = (res: Response, error: z.ZodError) => {
    const issue = error.issues[0]!;
    res.status(400).json({
      error: 'invalid_body',
      field: issue.path.join('.') || '(root)',
      message: issue.message,
    });
  };

  /** Keys whose first request is still being answered: a second one meanwhile gets a 409. */
  const inFlight = new Set<string>();
  /** Keys taken but not yet in the records `GET /v1/messages` reads (`recordLateNext`). */
  const unrecorded = new Set<string>();

  app.post('/v1/messages', async (req: Request, res: Response) => {
    await sleep(chaos.latencyMs);
    const parsed = messageBody.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const key = req.header('idempotency-key') || undefined;
    if (chaos.failNext > 0 || random() < chaos.errorRate) {
      if (chaos.failNext > 0) chaos.failNext--;
      attempts.push({ idempotencyKey: key, outcome: 'refused' });
      return res.status(503).json({ error: 'unavailable', message: 'simulated provider error' });
    }
    if (chaos.throttleNext > 0) {
      chaos.throttleNext--;
      attempts.push({ idempotencyKey: key, outcome: 'refused' });
      return res.status(429).json({ error: 'too_many_requests', message: 'simulated throttling' });
    }
    if (key && inFlight.has(key)) {
      attempts.push({ idempotencyKey: key, outcome: 'conflict' });
      return res
        .status(409)
        .json({ error: 'conflict', message: 'a request with this key is in progress' });
    }
    const known = key ? byKey.get(key) : undefined;
    if (known) {
      attempts.push({ idempotencyKey: key, outcome: 'duplicate' });
      return res.status(200).json(view(messages.get(known)!));
    }
    const message: SimulatedMessage = {
      sid: `SM${randomUUID().replaceAll('-', '')}`,
      ...parsed.data,
      ...(key ? { idempotencyKey: key } : {}),
      status: 'accepted',
      createdAt: new Date().toISOString(),
    };
    messages.set(message.sid, message);
    if (key) {
      byKey.set(key, message.sid);
      if (chaos.recordLateNext > 0) {
        chaos.recordLateNext--;
        unrecorded.add(key);
        setTimeout(() => unrecorded.delete(key), chaos.recordLagMs).unref();
      }
    }
    attempts.push({ idempotencyKey: key, outcome: 'accepted' });
    const undeliverable = chaos.undeliverableNext > 0;
    if (undeliverable) chaos.undeliverableNext--;
    const late = chaos.reportLateNext > 0;
    if (late) chaos.reportLateNext--;
    setTimeout(
      () => void report(message, undeliverable ? 'failed' : 'delivered'),
      late ? chaos.lateReportMs : (options.deliverAfterMs ?? 50),
    ).unref();
    if (chaos.resetNext > 0) {
      chaos.resetNext--;
      // Taken, then the connection drops before any answer: ambiguous too.
      return req.socket.resetAndDestroy();
    }
    if (chaos.timeoutNext > 0 || random() < chaos.timeoutRate) {
      if (chaos.timeoutNext > 0) chaos.timeoutNext--;
      // Taken, but the caller hears nothing in time: the ambiguous case.
      if (key) inFlight.add(key);
      await sleep(chaos.timeoutMs);
      if (key) inFlight.delete(key);
    }
    if (!res.headersSent) res.status(201).json(view(message));
  });

  app.get('/v1/messages/:sid', (req: Request, res: Response) => {
    const m = messages.get(String(req.params.sid));
    if (!m) return res.status(404).json({ error: 'not_found', message: 'no such message' });
    res.json(view(m));
  });

  /** Finds what was taken under an idempotency key: how a caller reconciles after a timeout. */
  app.get('/v1/messages', (req: Request, res: Response) => {
    const key = typeof req.query.idempotencyKey === 'string' ? req.query.idempotencyKey : '';
    if (!key)
      return res
        .status(400)
        .json({ error: 'invalid_query', field: 'idempotencyKey', message: 'is required' });
    const sid = unrecorded.has(key) ? undefined : byKey.get(key);
    res.json({ messages: sid ? [view(messages.get(sid)!)] : [] });
  });

  /** A customer answers by SMS: the provider posts it, signed, to the inbound webhook. */
  app.post('/control/reply', async (req: Request, res: Response) => {
    const parsed = z
      .object({ from: z.string().min(1), text: z.string().min(1).max(1600) })
      .strict()
      .safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    if (!options.inboundUrl)
      return res.status(409).json({ error: 'no_inbound_url', message: 'set SIM_INBOUND_URL' });
    const body = JSON.stringify({
      messageSid: `IN${randomUUID().replaceAll('-', '')}`,
      channel: 'sms',
      from: parsed.data.from,
      text: parsed.data.text,
    });
    const answer = await fetch(options.inboundUrl, {
      method: 'POST',
      headers: signedHeaders(options.callbackSecret, body),
      body,
    });
    res.status(answer.ok ? 202 : 502).json({ forwardedStatus: answer.status });
  });

  app.get('/control', (_req: Request, res: Response) => res.json({ chaos, attempts }));
  app.put('/control', (req: Request, res: Response) => {
    const parsed = chaosBody.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    Object.assign(chaos, parsed.data);
    res.json({ chaos });
  });
  app.get('/health/live', (_req, res) => res.json({ status: 'live' }));
  app.get('/health/ready', (_req, res) => res.json({ status: 'ready', ready: true }));

  async function report(m: SimulatedMessage, status: 'delivered' | 'failed'): Promise<void> {
    m.status = status;
    if (!m.statusCallback) return;
    const body = JSON.stringify({ sid: m.sid, status: m.status, idempotencyKey: m.idempotencyKey });
    await fetch(m.statusCallback, {
      method: 'POST',
      headers: signedHeaders(options.callbackSecret, body),
      body,
    }).catch(() => undefined);
  }

  return { app, chaos, messages, attempts };
}

/** What the API shows of a message: never the body, and the recipient only masked. */
function view(m: SimulatedMessage) {
  return {
    sid: m.sid,
    channel: m.channel,
    to: `${m.to.slice(0, 3)}…`,
    status: m.status,
    idempotencyKey: m.idempotencyKey,
    createdAt: m.createdAt,
  };
}
