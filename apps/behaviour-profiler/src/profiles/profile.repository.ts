import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  emptyBehaviour,
  type BehaviourState,
  noPreferences,
  type ConsentEntry,
  type ExplicitPreferences,
} from '@onevoice/policy';

/** One customer's row, as the profiler works on it. */
export interface CustomerRow {
  customerId: string;
  behaviour: BehaviourState;
  preferences: ExplicitPreferences;
  version: number;
  publishedKey: string | null;
}

/** The profiler's tables; the only place that reads or writes them. */
@Injectable()
export class ProfileRepository {
  /**
   * Locks and loads these customers (creating the rows of new ones), in one round trip each way:
   * the batch's work on them then happens in memory.
   */
  async lockAndLoad(
    tx: EntityManager,
    customerIds: readonly string[],
  ): Promise<Map<string, CustomerRow>> {
    const ids = [...new Set(customerIds)].sort();
    if (ids.length === 0) return new Map();
    await tx.query(
      `INSERT INTO customers (customer_id, behaviour, preferences, updated_at)
       SELECT id, $2::jsonb, $3::jsonb, now() FROM unnest($1::text[]) AS id ORDER BY id
       ON CONFLICT (customer_id) DO NOTHING`,
      [ids, JSON.stringify(emptyBehaviour()), JSON.stringify(noPreferences())],
    );
    const rows = (await tx.query(
      `SELECT customer_id, behaviour, preferences, version, published_key FROM customers
        WHERE customer_id = ANY($1::text[]) ORDER BY customer_id FOR UPDATE`,
      [ids],
    )) as StoredCustomer[];
    return new Map(rows.map((r) => [r.customer_id, toRow(r)]));
  }

  /** Reads one customer without locking (for the API); undefined when never seen. */
  async find(tx: EntityManager, customerId: string): Promise<CustomerRow | undefined> {
    const rows = (await tx.query(
      'SELECT customer_id, behaviour, preferences, version, published_key FROM customers WHERE customer_id = $1',
      [customerId],
    )) as StoredCustomer[];
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** Writes back the customers a batch changed, and their consent ledger lines, in one statement. */
  async save(
    tx: EntityManager,
    rows: readonly CustomerRow[],
    ledger: readonly (ConsentEntry & { customerId: string })[],
    now: Date,
  ): Promise<void> {
    if (rows.length === 0 && ledger.length === 0) return;
    await tx.query(
      // Each document is read into columns once: fields read one by one from json elements
      // would scan each element's text again for every field.
      `WITH saved AS (
         UPDATE customers c SET behaviour = r.behaviour, preferences = r.preferences,
                version = r.version, published_key = r."publishedKey", updated_at = $3
           FROM json_to_recordset($1::json) AS r("customerId" text, behaviour jsonb, preferences jsonb, version int,
                "publishedKey" text)
          WHERE c.customer_id = r."customerId"
          RETURNING 1)
       INSERT INTO consent_ledger (customer_id, at, stated_at, action, channel, scope, via, source, wording_version, detail)
       SELECT e."customerId", e.at, e."statedAt", e.action, e.channel, e.scope, e.via, e.source, e."wordingVersion", e.detail
         FROM ROWS FROM (json_to_recordset($2::json) AS ("customerId" text, at timestamptz, "statedAt" timestamptz,
              action text, channel text, scope text, via text, source text, "wordingVersion" text, detail text))
              WITH ORDINALITY AS e("customerId", at, "statedAt", action, channel, scope, via, source, "wordingVersion",
              detail, n)
        ORDER BY e.n`,
      [JSON.stringify(rows), JSON.stringify(ledger), now],
    );
  }

  async consentLedger(tx: EntityManager, customerId: string, limit = 200): Promise<ConsentEntry[]> {
    const rows = (await tx.query(
      `SELECT at, stated_at, action, channel, scope, via, source, wording_version, detail FROM consent_ledger
        WHERE customer_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
      [customerId, limit],
    )) as {
      at: Date;
      stated_at: Date | null;
      action: ConsentEntry['action'];
      channel: ConsentEntry['channel'] | null;
      scope: string | null;
      via: string;
      source: string;
      wording_version: string | null;
      detail: string | null;
    }[];
    return rows.map((r) => ({
      at: new Date(r.at).toISOString(),
      ...(r.stated_at ? { statedAt: new Date(r.stated_at).toISOString() } : {}),
      action: r.action,
      ...(r.channel ? { channel: r.channel } : {}),
      ...(r.scope ? { scope: r.scope } : {}),
      via: r.via,
      source: r.source,
      ...(r.wording_version ? { wordingVersion: r.wording_version } : {}),
      ...(r.detail ? { detail: r.detail } : {}),
    }));
  }

  /** Stored bytes per customer (behaviour and preferences), for the benchmark. */
  async storedBytes(tx: EntityManager): Promise<{ customers: number; bytes: number }> {
    const [r] = (await tx.query(
      `SELECT count(*)::int AS customers,
              coalesce(sum(pg_column_size(c.*)), 0)::bigint AS bytes FROM customers c`,
    )) as { customers: number; bytes: string }[];
    return { customers: r!.customers, bytes: Number(r!.bytes) };
  }
}

interface StoredCustomer {
  customer_id: string;
  behaviour: BehaviourState;
  preferences: ExplicitPreferences;
  version: number;
  published_key: string | null;
}

function toRow(r: StoredCustomer): CustomerRow {
  return {
    customerId: r.customer_id,
    behaviour: r.behaviour,
    // Preferences stored before a field existed get its default.
    preferences: { ...noPreferences(), ...r.preferences },
    version: r.version,
    publishedKey: r.published_key,
  };
}
