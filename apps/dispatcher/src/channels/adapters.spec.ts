import { ManualClock } from '@onevoice/clock';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderError, type OutgoingMessage } from './channel-adapter';
import { LetterBatchAdapter } from './letter-batch.adapter';
import { toHtml } from './smtp.adapter';
import { WebhookAdapter } from './webhook.adapter';

const message: OutgoingMessage = {
  deliveryId: 'd-1',
  customerId: 'cust-1',
  channel: 'letter',
  subject: 'A change to your account',
  body: 'Your tariff changes on 1 January.',
  idempotencyKey: 'k1a2b3',
};

describe('letter batch', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'letters-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one file per letter in the day’s batch, once however often it is sent', async () => {
    const adapter = new LetterBatchAdapter(
      dir,
      new ManualClock({ at: new Date('2026-11-23T10:00:00Z') }),
    );
    const first = await adapter.send(message);
    const again = await adapter.send(message);
    expect(again).toEqual(first);
    expect(readdirSync(join(dir, '2026-11-23'))).toEqual(['k1a2b3.json']);
    const letter = JSON.parse(readFileSync(join(dir, '2026-11-23', 'k1a2b3.json'), 'utf8'));
    expect(letter).toMatchObject({ customerRef: 'cust-1', body: message.body });
    expect(await adapter.lookup('k1a2b3')).toEqual({
      found: true,
      providerMessageId: '2026-11-23/k1a2b3',
    });
    expect(await adapter.lookup('unknown')).toEqual({ found: false });
  });
});

describe('webhook', () => {
  let server: Server;
  let url: string;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let status = 200;
  let delayMs = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        setTimeout(() => {
          res.statusCode = status;
          res.end();
        }, delayMs);
      });
    }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    received.length = 0;
    status = 200;
    delayMs = 0;
  });

  it('posts the message signed, with its idempotency key', async () => {
    await new WebhookAdapter(url, 'hook-secret', 1_000).send({ ...message, channel: 'chat' });
    const [call] = received;
    expect(call!.headers['idempotency-key']).toBe('k1a2b3');
    expect(call!.headers['x-onevoice-signature']).toBe(
      createHmac('sha256', 'hook-secret').update(call!.body).digest('hex'),
    );
    expect(JSON.parse(call!.body)).toMatchObject({ customerId: 'cust-1', channel: 'chat' });
  });

  it('says what kind of failure it was: 5xx transient, 4xx permanent, no answer ambiguous', async () => {
    const adapter = new WebhookAdapter(url, 'hook-secret', 300);
    const kind = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: ProviderError) => e.kind,
      );
    status = 503;
    expect(await kind(adapter.send(message))).toBe('transient');
    status = 400;
    expect(await kind(adapter.send(message))).toBe('permanent');
    status = 200;
    delayMs = 1_000;
    expect(await kind(adapter.send(message))).toBe('ambiguous');
  });
});

describe('email HTML', () => {
  it('keeps the words, escapes them, makes links clickable and adds the open image', () => {
    const html = toHtml(
      'Pay <now>: https://pay.example/x?a=1&b=2\nThanks',
      'https://ov.example/t/o/c?t=x&y',
    );
    expect(html).toContain('Pay &lt;now&gt;: <a href="https://pay.example/x?a=1&amp;b=2">');
    expect(html).toContain('<br>');
    expect(html).toContain(
      '<img src="https://ov.example/t/o/c?t=x&amp;y" width="1" height="1" alt="">',
    );
  });
});
