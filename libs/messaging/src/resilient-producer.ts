import { Logger } from '@nestjs/common';
import type { Producer } from 'kafkajs';

/** What publishers need of a producer. */
export type Sender = Pick<Producer, 'send' | 'sendBatch'>;

/**
 * Errors after which an idempotent producer never sends again: the broker no longer accepts its
 * sequence numbers or its producer id (kafkajs does not retry them, and every later send fails
 * the same way). Only a new producer — a new producer id — gets out of it.
 */
const WEDGING_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
  'DUPLICATE_SEQUENCE_NUMBER',
]);

/** The wedging error's type in `err` or what it wraps (kafkajs nests them in retries). */
export function wedgingError(err: unknown): string | undefined {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string' && WEDGING_ERRORS.has(e.type)) return e.type;
    e = (e.originalError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return undefined;
}

/**
 * A producer that replaces itself when it wedges: the send that met the error fails (its caller
 * retries it, as after any failed send: the events are identified, so a retry that repeats one is
 * taken once), and the next sends go through a new producer. Readiness says so meanwhile.
 */
export class ResilientProducer implements Sender {
  private readonly logger = new Logger('KafkaProducer');
  private producer: Producer;
  private rebuilding: Promise<void> | undefined;
  private connected = false;
  /** The replacement could not connect (the broker away): the next send connects it first. */
  private unconnected = false;
  /** How many times it was replaced, and why the last time. */
  rebuilds = 0;
  lastWedge: { error: string; at: string } | undefined;

  constructor(private readonly make: () => Producer) {
    this.producer = make();
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.rebuilding?.catch(() => undefined);
    await this.producer.disconnect();
  }

  send(record: Parameters<Producer['send']>[0]) {
    return this.through((p) => p.send(record));
  }

  sendBatch(batch: Parameters<Producer['sendBatch']>[0]) {
    return this.through((p) => p.sendBatch(batch));
  }

  /** Not ready while a wedged producer is being replaced. */
  readiness(): { ok: boolean; detail: Record<string, unknown> } {
    return {
      ok: this.rebuilding === undefined,
      detail: {
        rebuilds: this.rebuilds,
        ...(this.rebuilding ? { state: 'replacing a wedged producer' } : {}),
        ...(this.lastWedge ? { lastWedge: this.lastWedge } : {}),
      },
    };
  }

  private async through<T>(send: (p: Producer) => Promise<T>): Promise<T> {
    if (this.rebuilding) await this.rebuilding;
    const producer = this.producer;
    if (this.unconnected) {
      await producer.connect();
      this.unconnected = false;
    }
    try {
      return await send(producer);
    } catch (err) {
      const wedge = wedgingError(err);
      if (wedge && producer === this.producer) this.replace(wedge);
      throw err;
    }
  }

  private replace(error: string): void {
    // For the operator: the machine's time, beside the logs (it decides nothing).
    // eslint-disable-next-line no-restricted-syntax
    this.lastWedge = { error, at: new Date().toISOString() };
    this.logger.error({ msg: 'producer wedged; replacing it with a new producer id', error });
    const old = this.producer;
    this.producer = this.make();
    this.rebuilding = (async () => {
      await old.disconnect().catch(() => undefined);
      if (this.connected) await this.producer.connect();
      this.rebuilds++;
      this.logger.log({ msg: 'producer replaced', rebuilds: this.rebuilds });
    })()
      .catch((err: unknown) => {
        this.unconnected = true;
        this.logger.error({
          msg: 'could not connect the new producer; the next send tries again',
          error: String(err),
        });
      })
      .finally(() => (this.rebuilding = undefined));
  }
}
