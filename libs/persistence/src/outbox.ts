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

  async enqueue(tx: EntityManager, messages: readonly Outbound[]): Promise<void> {
    if (messages.length === 0) return;
    await tx.query(
      `INSERT INTO outbox (topic, key, event, headers)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[])`,
      [
        messages.map((m) => m.topic),
        messages.map((m) => m.key),
        messages.map((m) => JSON.stringify(m.event)),
        messages.map((m) => JSON.stringify(m.headers)),
      ],
    );
  }

  /** Publishes what is waiting, oldest first, and removes it once the broker has it. */
  async flush(limit = 500): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows = (await tx.query(
        `SELECT id, topic, key, event, headers FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
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
