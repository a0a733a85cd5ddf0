import type { EventPublisher, Outbound } from '@onevoice/messaging';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Messages decided outside a Kafka handler (a timer, an HTTP call) are written to the service's
 * `outbox` table in the same transaction as the decision, and published after it commits. A crash
 * in between leaves them in the table; the next flush sends them. Consumers dedupe by event id.
 * Each service that uses it creates the table in its own migration.
 */
export class Outbox {
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
   * remove are left to it.
   */
  async flush(limit = 500, olderThanMs = 0): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows = (await tx.query(
        `SELECT id, topic, key, event, headers FROM outbox
          WHERE created_at <= now() - make_interval(secs => $2::double precision / 1000)
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit, olderThanMs],
      )) as {
        id: string;
        topic: Outbound['topic'];
        key: string;
        event: Outbound['event'];
        headers: Record<string, string>;
      }[];
      if (rows.length === 0) return 0;
      await this.publisher.publish(
        rows.map((r) => ({ topic: r.topic, key: r.key, event: r.event, headers: r.headers })),
      );
      await tx.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      return rows.length;
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
