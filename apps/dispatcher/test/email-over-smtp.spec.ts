import { Topics } from '@onevoice/contracts';
import {
  approvedDecision,
  createTestDatabase,
  newCustomerId,
  produceRaw,
  startGroupAtEnd,
  startServiceProcess,
  testStack,
  waitFor,
} from '@onevoice/testing';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

interface Mail {
  from: string;
  to: string[];
  headers: Map<string, string>;
  body: string;
}

/**
 * Email goes over real SMTP: a mail server (smtp-server) captures what the dispatcher sends. The
 * message says what it is about, leads to its action and to the preference centre, and carries
 * RFC 8058 one-click unsubscribe headers that work.
 */
describe('email over SMTP', () => {
  const stack = testStack();
  const mails: Mail[] = [];
  let smtp: SMTPServer;
  let smtpPort: number;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
        stream.on('end', () => {
          mails.push(parse(raw, session.envelope));
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => smtp.close(r)));

  it('sends a promotion by email with its links and one-click unsubscribe headers that work', async () => {
    // A dispatcher of its own, sending email to this spec's mail server.
    const db = await createTestDatabase(new URL(stack.databaseUrl).toString());
    const group = `onevoice-dispatcher-smtp-${randomUUID().slice(0, 8)}`;
    await startGroupAtEnd(stack.brokers, group, Topics.decisions);
    const dispatcher = await startServiceProcess(
      'dispatcher',
      {
        ...stack.serviceEnv,
        DATABASE_URL: db.url,
        OV_CONSUMER_GROUP: group,
        OV_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        OV_MAIL_FROM: 'Example Telco <hello@telco.example>',
      },
      { logSuffix: '-smtp' },
    );
    try {
      const customerId = newCustomerId('smtp');
      const decision = approvedDecision(customerId, {
        channel: 'email',
        intentType: 'loyalty.offer',
        category: 'promotion',
        urgency: 'low',
        variables: { offer: '2 months of unlimited data, free' },
        action: { url: 'https://shop.example.test/offer' },
      });
      await produceRaw(stack.brokers, Topics.decisions, [
        { key: customerId, value: JSON.stringify(decision) },
      ]);
      const mail = await waitFor('the email', () =>
        mails.find((m) => m.to.some((t) => t.startsWith(customerId))),
      );
      expect(mail.from).toBe('hello@telco.example');
      expect(mail.headers.get('subject')).toBe('2 months of unlimited data, free');
      expect(mail.headers.get('message-id')).toMatch(/@onevoice>$/);
      // What it is about, and where it leads.
      expect(mail.body).toContain(
        '2 months of unlimited data, free. See the offer: https://shop.example.test/offer',
      );
      expect(mail.body).toMatch(
        /Choose how we contact you: http:\/\/127\.0\.0\.1:\d+\/preferences\//,
      );
      // RFC 8058: a one-click unsubscribe a mail client can POST to.
      const listUnsubscribe = mail.headers.get('list-unsubscribe')!;
      expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      const url = /^<(.+)>$/.exec(listUnsubscribe)![1]!;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
      const prefs = (await (
        await fetch(
          `${stack.services['behaviour-profiler']}/v1/customers/${customerId}/preferences`,
          {
            headers: { authorization: 'Bearer dev-ops' },
          },
        )
      ).json()) as { preferences: { optOuts: unknown[] } };
      expect(prefs.preferences.optOuts).toEqual([{ category: 'promotion' }]);
    } finally {
      expect(await dispatcher.stop()).toBe(0);
      await db.drop();
    }
  });
});

/** Enough of RFC 5322 for this spec: unfolded headers, and a quoted-printable text body. */
function parse(
  raw: string,
  envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] },
): Mail {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head!.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  let body = rest.join('\n\n');
  if (/quoted-printable/i.test(headers.get('content-transfer-encoding') ?? ''))
    body = Buffer.from(
      body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  return {
    from: envelope.mailFrom ? envelope.mailFrom.address : '',
    to: envelope.rcptTo.map((r) => r.address),
    headers,
    body,
  };
}
