import { Logger } from '@nestjs/common';
import { isTransientError, type EventPublisher, type Outbound } from '@onevoice/messaging';
import type { DataSource, EntityManager } from 'typeorm';

type OutboxRow = {
  id: string;
  topic: Outbound['topic'];
  key: string;
  event: Outbound['event'];
  headers: Record<string, string>;
};

/** How long a row the broker refused is set aside: doubling from 10 s, up to ten minutes. */
const FIRST_SET_ASIDE_MS = 10_000;
const MAX_SET_ASIDE_MS = 10 * 60_000;

/**
 * Messages decided outside a Kafka handler (a timer, an HTTP call) are written to the service's
 * `outbox` table in the same transaction as the decision, and published after it commits. A crash
 * in between leaves them in the table; the next flush sends them. Consumers dedupe by event id.
 * Each service that uses it creates the table in its own migration.
 */
export class Outbox {
  private readonly logger = new Logger('Outbox');
  /** Rows the broker refused, by id: skipped until `until` (the machine's time: no decision). */
  private readonly refused = new Map<string, { attempts: number; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
  ) {}

  /** Writes messages to the outbox in the caller's transaction; returns their row ids. */
  async enqueue(tx: EntityManager, messages: readonly Outbound[]): Promise<string[]> {
    if (messages.length === 0) return [];
    // One JSON document for the lot: no per-element array escaping of event bodies.
    const rows = (await tx.query(OUTBOX_INSERT('$1'), [JSON.stringify(messages)])) as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  }

  /**
   * Publishes messages enqueued by a transaction that has committed, from memory (no reading
   * back), and removes their rows once the broker has them. If this fails, the rows stay for
   * `flush`.
   */
  async publishEnqueued(ids: readonly string[], messages: readonly Outbound[]): Promise<void> {
    if (messages.length === 0) return;
    await this.publisher.publish(messages);
    await this.dataSource.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  /**
   * Publishes what is waiting, oldest first, and removes it once the broker has it. With
   * `olderThanMs`, only rows at least that old: those a `publishEnqueued` under way is about to
   * remove are left to it. When the broker refuses the lot for a reason other than being away,
   * the rows go one by one in order: one it refuses (too large for the broker, say) is kept and
   * set aside — logged, tried again later with a growing pause — with every later row of its key
   * in this flush, and the rest go. A later flush sends those later rows (a message that may never
   * go does not hold its customer's messages for ever). One bad row never blocks the outbox.
   */
  async flush(limit = 500, olderThanMs = 0): Promise<number> {
    // eslint-disable-next-line no-restricted-syntax -- a pause before retrying decides nothing
    const machineNow = Date.now();
    const aside = [...this.refused].filter(([, r]) => r.until > machineNow).map(([id]) => id);
    return this.dataSource.transaction(async (tx) => {
      const rows = (await tx.query(
        `SELECT id, topic, key, event, headers FROM outbox
          WHERE created_at <= now() - make_interval(secs => $2::double precision / 1000)
            AND id <> ALL($3::bigint[])
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit, olderThanMs, aside],
      )) as OutboxRow[];
      if (rows.length === 0) return 0;
      const sent = await this.publishRows(rows, machineNow);
      if (sent.length > 0)
        await tx.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [sent]);
      return sent.length;
    });
  }

  /** Publishes rows, all at once or else one by one; returns the ids the broker took. */
  private async publishRows(rows: readonly OutboxRow[], machineNow: number): Promise<string[]> {
    const message = (r: OutboxRow): Outbound => ({
      topic: r.topic,
      key: r.key,
      event: r.event,
      headers: r.headers,
    });
    try {
      await this.publisher.publish(rows.map(message));
      for (const r of rows) this.refused.delete(r.id);
      return rows.map((r) => r.id);
    } catch (err) {
      // The broker away: everything waits for the next flush, in order.
      if (isTransientError(err)) throw err;
    }
    const sent: string[] = [];
    const held = new Set<string>();
    for (const r of rows) {
      if (held.has(r.key)) continue;
      try {
        await this.publisher.publish([message(r)]);
        this.refused.delete(r.id);
        sent.push(r.id);
      } catch (err) {
        if (isTransientError(err)) break;
        held.add(r.key);
        this.setAside(r, err, machineNow);
      }
    }
    return sent;
  }

  private setAside(r: OutboxRow, err: unknown, machineNow: number): void {
    const attempts = (this.refused.get(r.id)?.attempts ?? 0) + 1;
    const pause = Math.min(FIRST_SET_ASIDE_MS * 2 ** (attempts - 1), MAX_SET_ASIDE_MS);
    this.refused.delete(r.id);
    this.refused.set(r.id, { attempts, until: machineNow + pause });
    // Remembered for a while only: an operator may remove a row for good.
    if (this.refused.size > 10_000) this.refused.delete(this.refused.keys().next().value!);
    this.logger.error({
      msg: 'the broker refused an outbox message; kept and set aside, the rest goes on',
      outboxId: r.id,
      topic: r.topic,
      key: r.key,
      eventId: r.event.id,
      attempts,
      retryInMs: pause,
      error: String(err),
    });
  }
}

/**
 * Inserts the messages of a JSON array parameter (`$n`) into the outbox and returns their ids;
 * may follow a `WITH …` to write them in the same statement as the change they announce.
 */
export const OUTBOX_INSERT = (param: string) => `
  INSERT INTO outbox (topic, key, event, headers)
  SELECT m->>'topic', m->>'key', m->'event', coalesce(m->'headers', '{}'::jsonb)
    FROM jsonb_array_elements(${param}::jsonb) AS m
  RETURNING id`;

/** The outbox table, created in the migrations of each service that uses an `Outbox`. */
export const CREATE_OUTBOX = `
  CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    topic      text        NOT NULL,
    key        text        NOT NULL,
    event      jsonb       NOT NULL,
    headers    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`;
