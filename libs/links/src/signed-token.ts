import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** What a link lets its holder do, for whom, and until when. */
export interface LinkClaims {
  /**
   * `preferences`: see and change one's choices; `unsubscribe`: one-click, one category;
   * `track`: an open or a click of one message (`ref`), leading on to `url`.
   */
  purpose: 'preferences' | 'unsubscribe' | 'track';
  customerId: string;
  /** For `unsubscribe`: the category the message was about. */
  category?: string;
  /** For `track`: the decision the message carried out. */
  ref?: string;
  /** For a tracked click: where it leads (signed, so the link can lead nowhere else). */
  url?: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'wrong_purpose' | 'other_customer' };

// The key is prepared once per secret (a KeyObject), not on every signature.
const keys = new Map<string, KeyObject>();
const mac = (secret: string, payload: string) => {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return createHmac('sha256', key).update(payload).digest('base64url');
};

/**
 * An opaque token for a link in a message: the claims and an HMAC-SHA256 over them with a
 * secret only OneVoice holds. Whoever holds the link may act on it until it expires — and only
 * for the customer (and category) it names. No cookie, no login.
 */
export function signToken(secret: string, claims: LinkClaims): string {
  const payload = Buffer.from(
    JSON.stringify({
      p: claims.purpose,
      c: claims.customerId,
      ...(claims.category ? { k: claims.category } : {}),
      ...(claims.ref ? { r: claims.ref } : {}),
      ...(claims.url ? { u: claims.url } : {}),
      e: claims.expiresAt,
    }),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/** Checks a token for one purpose and one customer; the reason says why it is refused. */
export function verifyToken(
  secret: string,
  token: string | undefined,
  expected: { purpose: LinkClaims['purpose']; customerId: string },
  now: Date,
): TokenCheck {
  const [payload, signature, ...rest] = (token ?? '').split('.');
  if (!payload || !signature || rest.length > 0) return { ok: false, reason: 'malformed' };
  const want = Buffer.from(mac(secret, payload));
  const got = Buffer.from(signature);
  if (want.length !== got.length || !timingSafeEqual(want, got))
    return { ok: false, reason: 'forged' };
  let raw: { p?: unknown; c?: unknown; k?: unknown; r?: unknown; u?: unknown; e?: unknown };
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof raw;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (
    (raw.p !== 'preferences' && raw.p !== 'unsubscribe' && raw.p !== 'track') ||
    typeof raw.c !== 'string' ||
    typeof raw.e !== 'number' ||
    (raw.k !== undefined && typeof raw.k !== 'string') ||
    (raw.r !== undefined && typeof raw.r !== 'string') ||
    (raw.u !== undefined && typeof raw.u !== 'string')
  )
    return { ok: false, reason: 'malformed' };
  if (raw.p !== expected.purpose) return { ok: false, reason: 'wrong_purpose' };
  if (raw.c !== expected.customerId) return { ok: false, reason: 'other_customer' };
  if (raw.e <= now.getTime()) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claims: {
      purpose: raw.p,
      customerId: raw.c,
      ...(raw.k !== undefined ? { category: raw.k as string } : {}),
      ...(raw.r !== undefined ? { ref: raw.r as string } : {}),
      ...(raw.u !== undefined ? { url: raw.u as string } : {}),
      expiresAt: raw.e,
    },
  };
}

/** The links every message carries: the preference centre, and one-click unsubscribe. */
export function customerLinks(
  options: LinkOptions,
  customerId: string,
  category: string,
  now: Date,
): { preferences: string; unsubscribe: string } {
  return {
    preferences: preferencesLink(options, customerId, now),
    unsubscribe: unsubscribeLink(options, customerId, category, now),
  };
}

export interface LinkOptions {
  secret: string;
  baseUrl: string;
  lifetimeMs: number;
}

/** A signed link to the customer's preference page. */
export function preferencesLink(options: LinkOptions, customerId: string, now: Date): string {
  const t = signToken(options.secret, {
    purpose: 'preferences',
    customerId,
    expiresAt: now.getTime() + options.lifetimeMs,
  });
  return `${options.baseUrl.replace(/\/$/, '')}/preferences/${encodeURIComponent(customerId)}?t=${t}`;
}

/** A signed one-click unsubscribe link from one category (RFC 8058). */
export function unsubscribeLink(
  options: LinkOptions,
  customerId: string,
  category: string,
  now: Date,
): string {
  const t = signToken(options.secret, {
    purpose: 'unsubscribe',
    customerId,
    category,
    expiresAt: now.getTime() + options.lifetimeMs,
  });
  return `${options.baseUrl.replace(/\/$/, '')}/v1/unsubscribe?c=${encodeURIComponent(customerId)}&t=${t}`;
}

/**
 * Tracked versions of an email's links: the action, through a redirect that records the click,
 * and an image that records the open. Both name the message (`ref`) and its customer.
 */
export function trackingLinks(
  options: { secret: string; baseUrl: string; lifetimeMs: number },
  customerId: string,
  ref: string,
  actionUrl: string | undefined,
  now: Date,
): { click?: string; open: string } {
  const expiresAt = now.getTime() + options.lifetimeMs;
  const base = options.baseUrl.replace(/\/$/, '');
  const c = encodeURIComponent(customerId);
  // One token serves both: it names the message (and where a click leads); the path says which.
  const token = signToken(options.secret, {
    purpose: 'track',
    customerId,
    ref,
    ...(actionUrl ? { url: actionUrl } : {}),
    expiresAt,
  });
  return {
    ...(actionUrl ? { click: `${base}/t/c/${c}?t=${token}` } : {}),
    open: `${base}/t/o/${c}?t=${token}`,
  };
}
