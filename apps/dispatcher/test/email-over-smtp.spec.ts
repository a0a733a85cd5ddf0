import { Topics } from '@onevoice/contracts';
import {
  approvedDecision,
  newCustomerId,
  produceRaw,
  isolatedServiceEnv,
  startServiceProcess,
  testStack,
  TopicTap,
  waitFor,
  STAFF,
} from '@onevoice/testing';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

interface Mail {
  from: string;
  to: string[];
  headers: Map<string, string>;
  /** The plain-text part. */
  body: string;
  /** The HTML part, if any. */
  html: string;
}

/**
 * Email goes over real SMTP: a mail server (smtp-server) captures what the dispatcher sends. The
 * message says what it is about, leads to its action (through a redirect that records the click)
 * and to the preference centre, records its opening with an image, and carries RFC 8058
 * one-click unsubscribe headers that work.
 */
describe('email over SMTP', () => {
  const stack = testStack();
  const mails: Mail[] = [];
  let smtp: SMTPServer;
  let smtpPort: number;
  let tap: TopicTap;

  beforeAll(async () => {
    tap = await TopicTap.open(stack, [Topics.interactions]);
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
  afterAll(async () => {
    await tap.close();
    await new Promise<void>((r) => smtp.close(r));
  });

  it('sends a promotion by email with its links and one-click unsubscribe headers that work', async () => {
    // A dispatcher of its own, sending email to this spec's mail server.
    const isolated = await isolatedServiceEnv(stack, 'dispatcher-smtp', Topics.decisions, {
      OV_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      OV_MAIL_FROM: 'Example Telco <hello@telco.example>',
    });
    const dispatcher = await startServiceProcess('dispatcher', isolated.env, {
      logSuffix: '-smtp',
    });
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
      await produceRaw(stack, Topics.decisions, [
        { key: customerId, value: JSON.stringify(decision) },
      ]);
      const mail = await waitFor('the email', () =>
        mails.find((m) => m.to.some((t) => t.startsWith(customerId))),
      );
      expect(mail.from).toBe('hello@telco.example');
      expect(mail.headers.get('subject')).toBe('2 months of unlimited data, free');
      expect(mail.headers.get('message-id')).toMatch(/@onevoice>$/);
      // What it is about, and where it leads.
      // The action leads through a redirect that records the click, to the offer and nowhere else.
      const click = /See the offer: (http:\/\/127\.0\.0\.1:\d+\/t\/c\/\S+)/.exec(mail.body)?.[1];
      expect(mail.body).toContain('2 months of unlimited data, free. See the offer: ');
      expect(click).toBeDefined();
      const followed = await fetch(click!, { redirect: 'manual' });
      expect(followed.status).toBe(302);
      expect(followed.headers.get('location')).toBe('https://shop.example.test/offer');
      const forged = await fetch(click!.replace(/t=[^&]+/, 't=forged.token'), {
        redirect: 'manual',
      });
      expect(forged.status).toBe(403);
      // The HTML part carries the image that records the open.
      const pixel = /<img src="([^"]+)"/.exec(mail.html)?.[1]?.replaceAll('&amp;', '&');
      expect(pixel).toMatch(/\/t\/o\//);
      const image = await fetch(pixel!);
      expect(image.headers.get('content-type')).toMatch(/image\/gif/);
      const engaged = await tap.waitForMessages(
        'the open and the click as engagements',
        (m) => m.topic === Topics.interactions && m.key === customerId,
        { count: 2 },
      );
      expect(
        engaged
          .map(
            (m) =>
              (JSON.parse(m.value!.toString()) as { data: { action: string; decisionId: string } })
                .data,
          )
          .sort((a, b) => a.action.localeCompare(b.action)),
      ).toEqual([
        { decisionId: decision.id, channel: 'email', action: 'clicked' },
        { decisionId: decision.id, channel: 'email', action: 'opened' },
      ]);
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
            headers: { authorization: STAFF.ops },
          },
        )
      ).json()) as { preferences: { optOuts: unknown[] } };
      expect(prefs.preferences.optOuts).toEqual([{ category: 'promotion' }]);
    } finally {
      expect(await dispatcher.stop()).toBe(0);
      await isolated.drop();
    }
  });
});

/** Enough of RFC 5322 and MIME for this spec: unfolded headers, text and HTML parts, quoted-printable. */
function parse(
  raw: string,
  envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] },
): Mail {
  const { headers, body } = splitPart(raw);
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((p) => splitPart(p.replace(/^\r?\n/, '')))
    : [{ headers, body }];
  const part = (type: string) => {
    const p = parts.find((x) => (x.headers.get('content-type') ?? 'text/plain').startsWith(type));
    if (!p) return '';
    return /quoted-printable/i.test(p.headers.get('content-transfer-encoding') ?? '')
      ? Buffer.from(
          p.body
            .replace(/=\r?\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8')
      : p.body;
  };
  return {
    from: envelope.mailFrom ? envelope.mailFrom.address : '',
    to: envelope.rcptTo.map((r) => r.address),
    headers,
    body: part('text/plain'),
    html: part('text/html'),
  };
}

function splitPart(raw: string): { headers: Map<string, string>; body: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head!.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return { headers, body: rest.join('\n\n') };
}
