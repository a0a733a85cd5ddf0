import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { createSimulator, signCallback } from './simulator';

describe('the provider simulator', () => {
  let server: Server;
  let base: string;
  let sim: ReturnType<typeof createSimulator>;
  const callbacks: {
    body: string;
    signature: string | undefined;
    timestamp: string | undefined;
  }[] = [];
  let callbackServer: Server;
  let callbackUrl: string;

  beforeAll(async () => {
    sim = createSimulator({
      callbackSecret: 'test-secret-123',
      deliverAfterMs: 10,
      random: () => 0.99,
    });
    server = sim.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    callbackServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        callbacks.push({
          body,
          signature: req.headers['x-provider-signature'] as string | undefined,
          timestamp: req.headers['x-provider-timestamp'] as string | undefined,
        });
        res.end();
      });
    }).listen(0, '127.0.0.1');
    await new Promise((r) => callbackServer.once('listening', r));
    callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/status`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await new Promise((r) => callbackServer.close(r));
  });

  const send = (key?: string, extra: Record<string, unknown> = {}) =>
    fetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({
        channel: 'sms',
        to: '+4915100000000',
        body: 'Your bill is due.',
        ...extra,
      }),
    });

  it('takes a message once per idempotency key', async () => {
    const first = await send('k-1');
    expect(first.status).toBe(201);
    const again = await send('k-1');
    expect(again.status).toBe(200);
    expect(((await again.json()) as { sid: string }).sid).toBe(
      ((await first.json()) as { sid: string }).sid,
    );
    expect(sim.attempts.filter((a) => a.idempotencyKey === 'k-1').map((a) => a.outcome)).toEqual([
      'accepted',
      'duplicate',
    ]);
  });

  it('fails the next requests on demand, without taking them', async () => {
    await fetch(`${base}/control`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: 2 }),
    });
    expect((await send('k-2')).status).toBe(503);
    expect((await send('k-2')).status).toBe(503);
    expect((await send('k-2')).status).toBe(201);
    expect([...sim.messages.values()].filter((m) => m.idempotencyKey === 'k-2')).toHaveLength(1);
  });

  const control = (chaos: Record<string, number>) =>
    fetch(`${base}/control`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chaos),
    });
  const lookup = async (key: string) =>
    (
      (await (await fetch(`${base}/v1/messages?idempotencyKey=${key}`)).json()) as {
        messages: unknown[];
      }
    ).messages.length;

  it('takes a message, then resets the connection: the caller cannot tell', async () => {
    await control({ resetNext: 1 });
    await expect(send('k-reset')).rejects.toThrow();
    expect(await lookup('k-reset')).toBe(1);
    expect(sim.attempts.filter((a) => a.idempotencyKey === 'k-reset')).toEqual([
      { idempotencyKey: 'k-reset', outcome: 'accepted' },
    ]);
  });

  it('answers 429 without taking the message', async () => {
    await control({ throttleNext: 1 });
    expect((await send('k-429')).status).toBe(429);
    expect(await lookup('k-429')).toBe(0);
  });

  it('records a message late: looked up at once it is not found, later it is', async () => {
    await control({ recordLateNext: 1, recordLagMs: 300 });
    expect((await send('k-lag')).status).toBe(201);
    expect(await lookup('k-lag')).toBe(0);
    await new Promise((r) => setTimeout(r, 400));
    expect(await lookup('k-lag')).toBe(1);
  });

  it('answers 409 to a second request for a key whose first is still being answered', async () => {
    await control({ timeoutNext: 1, timeoutMs: 300 });
    const first = send('k-409');
    await new Promise((r) => setTimeout(r, 50));
    expect((await send('k-409')).status).toBe(409);
    expect((await first).status).toBe(201);
    // Once answered, the key is a duplicate like any other.
    expect((await send('k-409')).status).toBe(200);
  });

  it('takes a message and answers too late; the caller finds it by its key', async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 200);
    await fetch(`${base}/control`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timeoutNext: 1, timeoutMs: 1_000 }),
    });
    const outcome = await fetch(`${base}/v1/messages`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-4' },
      body: JSON.stringify({ channel: 'voice', to: '+4915100000001', body: 'Your car is ready.' }),
    }).then(
      () => 'answered',
      () => 'timed out',
    );
    clearTimeout(timer);
    expect(outcome).toBe('timed out');
    const found = (await (await fetch(`${base}/v1/messages?idempotencyKey=k-4`)).json()) as {
      messages: { status: string }[];
    };
    expect(found.messages).toHaveLength(1);
  });

  it('reports the next message undeliverable on demand', async () => {
    await fetch(`${base}/control`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ undeliverableNext: 1 }),
    });
    expect((await send('k-6')).status).toBe(201);
    expect((await send('k-7')).status).toBe(201);
    const status = (key: string) =>
      [...sim.messages.values()].find((m) => m.idempotencyKey === key)?.status;
    for (let i = 0; i < 50 && status('k-7') !== 'delivered'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect([status('k-6'), status('k-7')]).toEqual(['failed', 'delivered']);
  });

  it('calls back when delivered, signed with the shared secret', async () => {
    await send('k-5', { statusCallback: callbackUrl });
    for (let i = 0; i < 50 && callbacks.length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    const [cb] = callbacks;
    expect(JSON.parse(cb!.body)).toMatchObject({ status: 'delivered', idempotencyKey: 'k-5' });
    // Signed now: the timestamp is this second (or the one before), and signed with the body.
    expect(Math.abs(Number(cb!.timestamp) * 1000 - Date.now())).toBeLessThan(5_000);
    expect(cb!.signature).toBe(signCallback('test-secret-123', cb!.timestamp!, cb!.body));
    expect(cb!.signature).toBe(
      createHmac('sha256', 'test-secret-123').update(`${cb!.timestamp}.${cb!.body}`).digest('hex'),
    );
  });

  it('names the field at fault in a bad request', async () => {
    const res = await fetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'fax', to: 'x', body: 'y' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { field: string }).field).toBe('channel');
  });
});
