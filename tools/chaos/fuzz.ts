import { Random } from '../../apps/coordinator/src/simulation/random';

/** One hostile input: the bytes another team's broken (or malicious) producer might send. */
export interface Hostile {
  /** Also its Kafka key and subject, where it has one: how its dead letter is found. */
  key: string;
  kind: string;
  /** The department it claims to come from (its credential over HTTP). */
  source: string;
  bytes: Buffer;
}

/** A well-formed contact request to break. */
function request(
  key: string,
  data: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  return {
    specversion: '1.0',
    id: key,
    source: 'billing',
    type: 'billing.payment_due',
    subject: key,
    time: '2026-12-03T12:00:00Z',
    data: {
      intentKey: `fuzz:${key}`,
      variables: { amount: '1.00 USD' },
      action: { url: 'https://pay.example.test/fuzz' },
      ...data,
    },
    ...extra,
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** The kinds of hostile input, each a function of its key and a random source. */
const KINDS: Record<string, (key: string, rng: Random) => Buffer> = {
  'invalid UTF-8': (key) =>
    Buffer.concat([
      Buffer.from(`{"id":"${key}","x":"`),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}'),
    ]),
  'UTF-16 JSON': (key) =>
    Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(JSON.stringify(request(key)), 'utf16le'),
    ]),
  '5,000-deep nesting': (key) =>
    Buffer.from(
      JSON.stringify(request(key)).replace(
        '"variables":{',
        `"variables":{"deep":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)},`,
      ),
    ),
  '900 KB variable': (key) => json(request(key, { variables: { blob: 'x'.repeat(900 * 1024) } })),
  'unknown channel': (key) => json(request(key, { channels: ['fax'] })),
  'unknown type': (key) => json(request(key, {}, { type: 'billing.teleport' })),
  'impossible time': (key) => json(request(key, {}, { time: '2026-02-30T25:61:00Z' })),
  'impossible zone': (key) =>
    json({
      ...request(key),
      source: 'care',
      type: 'preference.changed',
      data: { timeZone: 'Mars/Olympus_Mons', via: 'agent' },
    }),
  'javascript: action URL': (key) =>
    json(request(key, { action: { url: 'javascript:alert(document.cookie)' } })),
  'data: action URL': (key) =>
    json(
      request(key, {
        action: { url: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==' },
      }),
    ),
  'not an object': () => Buffer.from('[1,2,3]'),
  'control characters in the subject': (key) =>
    json(request(key, {}, { subject: `${key}\u0000\u202e` })),
  'number where text is due': (key, rng) =>
    json(request(key, { intentKey: Math.floor(rng.next() * 1e9) })),
};

export const HOSTILE_KINDS = Object.keys(KINDS);

/** `count` hostile inputs, every kind in turn, keys unique to the run. */
export function hostileInputs(count: number, seed: number, runTag: string): Hostile[] {
  const rng = new Random(seed, 0xf022);
  return Array.from({ length: count }, (_, i) => {
    const kind = HOSTILE_KINDS[i % HOSTILE_KINDS.length]!;
    const key = `fuzz-${runTag}-${i}`;
    return {
      key,
      kind,
      source: kind === 'impossible zone' ? 'care' : 'billing',
      bytes: KINDS[kind]!(key, rng),
    };
  });
}
