import nodemailer, { type Transporter } from 'nodemailer';
import { ProviderError, type ChannelAdapter, type OutgoingMessage } from './channel-adapter';

/**
 * Email over SMTP (nodemailer). Each message has a Message-ID made from its delivery's key, and,
 * for kinds of message the customer may stop, RFC 8058 one-click unsubscribe headers. SMTP
 * neither deduplicates nor answers "did you take it?": a timeout after the data went out leaves
 * the delivery uncertain for a person to settle, never resent on a guess.
 */
export class SmtpAdapter implements ChannelAdapter {
  readonly provider = 'smtp';
  readonly idempotent = false;
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
    /** How a customer id becomes an address, until a contact directory provides them. */
    private readonly recipient: (customerId: string) => string,
    timeoutMs: number,
  ) {
    const u = new URL(url);
    this.transport = nodemailer.createTransport({
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 25)),
      secure: u.protocol === 'smtps:',
      ...(u.username
        ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
        : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    const messageId = `<${message.idempotencyKey}@onevoice>`;
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: this.recipient(message.customerId),
        subject: message.subject,
        text: message.body,
        // With a tracking image, an HTML part too: the same words, links clickable.
        ...(message.trackingPixel ? { html: toHtml(message.body, message.trackingPixel) } : {}),
        messageId,
        headers: message.listUnsubscribe
          ? {
              'List-Unsubscribe': `<${message.listUnsubscribe}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            }
          : {},
      });
      return { providerMessageId: String(info.messageId ?? messageId) };
    } catch (err) {
      const e = err as Error & { code?: string; responseCode?: number };
      if (e.code === 'ECONNECTION' || e.code === 'ECONNREFUSED' || e.code === 'EDNS')
        throw new ProviderError('transient', `mail server unreachable: ${e.code}`);
      if (e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500)
        throw new ProviderError('transient', `mail server deferred it: ${e.responseCode}`);
      if (e.responseCode !== undefined && e.responseCode >= 500)
        throw new ProviderError('permanent', `mail server refused it: ${e.responseCode}`);
      throw new ProviderError('ambiguous', `mail server did not confirm: ${e.message}`);
    }
  }

  lookup(): Promise<{ found: false }> {
    // SMTP keeps no record we can ask; an uncertain email stays uncertain for a person to settle.
    return Promise.reject(
      new ProviderError('permanent', 'SMTP cannot say whether it took a message'),
    );
  }
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The plain text as simple HTML, its links clickable, with the open-tracking image. */
export function toHtml(text: string, pixel: string): string {
  const body = escapeHtml(text)
    .replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`)
    .replace(/\n/g, '<br>\n');
  return `<!doctype html><html><body><p>${body}</p><img src="${escapeHtml(pixel)}" width="1" height="1" alt=""></body></html>`;
}
