import { Injectable, Optional } from '@nestjs/common';
import type { ProfileData, TopicName } from '@onevoice/contracts';
import type { Outbound } from '@onevoice/messaging';
import { returnedRows, type EarlierClaim } from '@onevoice/persistence';
import type { PoolClient, QueryResultRow } from 'pg';
import type { EntityManager } from 'typeorm';
import { LedgerCache } from './ledger-cache';
import {
  requestOf,
  type CustomerState,
  type LedgerWrites,
  type RequestRow,
  type StoredRequest,
} from './ledger.types';

/** How far back a customer's history matters to a decision (the longest cap window and more). */
const HISTORY_DAYS = 90;

/**
 * Locks the customers of the text array $1, always in the same order (no deadlock between
 * batches), by raising their ledgers' versions (see LedgerVersions1764600000000); returns each
 * customer's new version.
 */
const LOCK_CUSTOMERS_SQL = `INSERT INTO ledger_versions AS v (customer_id, version)
  SELECT DISTINCT c, 1 FROM unnest($1::text[]) c ORDER BY 1
  ON CONFLICT (customer_id) DO UPDATE SET version = v.version + 1
  RETURNING customer_id, version`;

/** The coordinator's ledger; the only place that reads or writes its tables. */
@Injectable()
export class LedgerRepository {
  constructor(@Optional() private readonly cache?: LedgerCache) {}

  /**
   * Locks the customers (as `lockCustomer` does, returning their ledgers' new versions) and finds
   * which of `requestKeys` are stored already, in one statement. That statement reads the requests
   * as they were when it began: a request another transaction on the same customer stored while
   * this one waited for the lock is not among them — `applyWrites` finds it, and fails.
   */
  async lockAndFind(
    tx: EntityManager,
    customerIds: readonly string[],
    requestKeys: readonly string[],
  ): Promise<{ versions: Map<string, number>; stored: Set<string> }> {
    const rows = await preparedQuery<{ key: string; version: string | null }>(
      tx,
      'coordinator.lock_and_find',
      `WITH locked AS (${LOCK_CUSTOMERS_SQL})
       SELECT customer_id AS key, version::text AS version FROM locked
       UNION ALL
       SELECT request_key, NULL FROM requests
        WHERE request_key = ANY($2::text[]) AND (SELECT count(*) FROM locked) >= 0`,
      [customerIds, requestKeys],
    );
    const versions = new Map<string, number>();
    const stored = new Set<string>();
    for (const r of rows)
      if (r.version === null) stored.add(r.key);
      else versions.set(r.key, Number(r.version));
    return { versions, stored };
  }

  /**
   * Inserts new requests each held (deferred) until its `heldUntil`, as a planned reminder is;
   * returns the keys that were new.
   */
  async insertRequests(
    tx: EntityManager,
    requests: readonly { request: StoredRequest; heldUntil: Date }[],
  ): Promise<{ inserted: Set<string> }> {
    if (requests.length === 0) return { inserted: new Set() };
    const rows = (await tx.query(`${insertRequestsSql('$1')} RETURNING request_key`, [
      JSON.stringify(
        requests.map(({ request, heldUntil }) => ({
          r: request,
          s: { status: 'deferred', at: heldUntil },
        })),
      ),
    ])) as { request_key: string }[];
    return { inserted: new Set(rows.map((r) => r.request_key)) };
  }

  /**
   * Requests seen before, as the inbox of contact requests describes them: where each was read,
   * and the decisions its processing made (in order), as they were published on `topic`.
   */
  async earlierClaims(
    tx: EntityManager,
    requestKeys: readonly string[],
    topic: TopicName,
  ): Promise<Map<string, EarlierClaim>> {
    if (requestKeys.length === 0) return new Map();
    const rows = (await tx.query(
      `SELECT r.request_key, r.source_topic, r.source_offset::text AS source_offset,
              (SELECT coalesce(json_agg(json_build_object('topic', $2::text, 'key', d.customer_id, 'event', d.event, 'headers', '{}'::json)
                                        ORDER BY d.cause_seq), '[]')
                 FROM decision_log d WHERE d.customer_id = r.customer_id AND d.cause = r.request_key) AS outputs
         FROM requests r WHERE r.request_key = ANY($1::text[])`,
      [requestKeys, topic],
    )) as {
      request_key: string;
      source_topic: string | null;
      source_offset: string | null;
      outputs: Outbound[];
    }[];
    return new Map(
      rows.flatMap((r) =>
        r.source_topic && r.source_offset
          ? [
              [
                r.request_key,
                { topic: r.source_topic, offset: r.source_offset, outputs: r.outputs },
              ],
            ]
          : [],
      ),
    );
  }

  /**
   * What decisions about these customers need, in two round trips (the history, then the rest):
   * each one's recent requests, open cases, fulfilled intents, last inbound contact and profile.
   *
   * A request's own document comes only with the rows a decision made now may change (see
   * `RequestRow.request`): those waiting to be decided (pending, or held and due), merged into a
   * digest, approved and not gone out (a more urgent message may displace them; an update may
   * replace them), and held updates (a newer update replaces them). A held request that is not
   * due is otherwise only counted, by its columns — and it was most of what a busy customer's
   * history carried. `heldDocuments` brings every held request's document (fulfilment cancels
   * them all).
   */
  async customerStates(
    tx: EntityManager,
    customerIds: readonly string[],
    now: Date,
    options: { heldDocuments?: boolean } = {},
  ): Promise<Map<string, CustomerState>> {
    // The history as plain rows, in order: Postgres builds JSON from a row slowly (each value's
    // type is looked up again per value), and a busy customer has dozens of requests — measured
    // at 3–4× the time of the same rows sent as they are.
    const history = await preparedQuery<RequestRow>(
      tx,
      'coordinator.histories',
      `SELECT r.request_key, r.customer_id, r.status, r.decision_id, r.decision_count, r.channel, r.at,
              r.send_before, r.merged_into, r.sent, r.engaged, r.intent_key, r.category, r.urgency,
              r.update_seq, r.reminder_of, r.received_at, r.request->'allowedChannels' AS allowed_channels,
              -- Only what a decision made now may change needs the request itself (see above).
              CASE WHEN r.status IN ('pending', 'merged')
                     OR (r.status = 'deferred' AND (r.at <= $3 OR r.update_seq IS NOT NULL OR $4))
                     OR (r.status = 'approved' AND NOT r.sent AND (r.at IS NULL OR r.at > $3))
                   THEN r.request END AS request
         FROM requests r
        WHERE r.customer_id = ANY($1::text[]) AND (r.received_at > $2 OR r.status IN ('pending', 'deferred', 'approved'))
        ORDER BY r.customer_id, r.received_at, r.request_key`,
      [
        customerIds,
        new Date(now.getTime() - HISTORY_DAYS * 86_400_000),
        now,
        options.heldDocuments ?? false,
      ],
    );
    const rest = await preparedQuery<{ customer_id: string } & OtherState>(
      tx,
      'coordinator.other_state',
      `SELECT c.id AS customer_id,
         (SELECT coalesce(json_agg(json_build_object('caseId', case_id, 'kind', kind)), '[]') FROM cases WHERE customer_id = c.id) AS cases,
         (SELECT coalesce(json_agg(json_build_object('intentKey', intent_key, 'at', at, 'source', by_source)), '[]') FROM fulfilments WHERE customer_id = c.id) AS fulfilled,
         (SELECT json_build_object('channel', channel, 'at', at) FROM last_inbound WHERE customer_id = c.id) AS inbound,
         (SELECT profile FROM profiles WHERE customer_id = c.id) AS profile
       FROM (SELECT DISTINCT id FROM unnest($1::text[]) AS u(id)) c`,
      [customerIds],
    );
    const states = new Map<string, CustomerState>(
      rest.map((row) => [
        row.customer_id,
        {
          history: [],
          cases: row.cases,
          fulfilled: row.fulfilled,
          ...(row.inbound ? { inbound: row.inbound } : {}),
          ...(row.profile ? { profile: row.profile } : {}),
        },
      ]),
    );
    for (const row of history) states.get(row.customer_id)?.history.push(row);
    return states;
  }

  /**
   * Writes what a batch of decisions changed, in one statement: the new requests, stored as they
   * were decided (one row version each, not an insert and then an update); the other requests'
   * new states; and the decisions (which the timeline reads from the log, in the order they were
   * made, after the requests). Fails if a new request was stored meanwhile (see `lockAndFind`):
   * the transaction is then rolled back, and the batch tried again finds it.
   *
   * With `ifVersions` (each customer's ledger version as the decisions saw it), the statement is
   * its own transaction, taken without the customers' locks: it raises those versions and writes
   * only if every one is still as given — nobody changed those customers meanwhile (a change
   * raises the version under the lock this statement then waits for, and it reads the version
   * the change left) and none of the new requests is stored already (one older than the
   * histories kept in memory). Otherwise it writes nothing and returns false.
   */
  async applyWrites(
    tx: EntityManager,
    w: LedgerWrites,
    ifVersions?: ReadonlyMap<string, number>,
  ): Promise<boolean> {
    if (w.inserts.length === 0 && w.states.size === 0 && w.decisions.length === 0) return true;
    // The events travel one per line (see below).
    if (w.decisions.some((d) => d.event.includes('\n')))
      throw new Error('a decision event must be serialized on one line (JSON.stringify)');
    const inserted = new Set(w.inserts.map((i) => i.row.request_key));
    // Unguarded, `ok` is true; guarded, it is true once every version was raised from the one given
    // (customers in order, as the locks are taken; were a plan to take them in another order, a
    // deadlock fails one of the two transactions, and its batch is tried again).
    const guard = ifVersions
      ? `raised AS (UPDATE ledger_versions v SET version = v.version + 1
                       FROM unnest($5::text[], $6::bigint[]) AS g(customer_id, version)
                      WHERE v.customer_id = g.customer_id AND v.version = g.version RETURNING 1),
         ok AS (SELECT count(*) = cardinality($5::text[])
                       AND NOT EXISTS (SELECT 1 FROM requests WHERE request_key = ANY($7::text[])) AS ok
                  FROM raised),`
      : 'ok AS (SELECT true AS ok),';
    const guarded = ifVersions
      ? [...ifVersions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      : [];
    const [result] = await preparedQuery<{ stored: number; ok: boolean }>(
      tx,
      ifVersions ? 'coordinator.apply_writes_if_versions' : 'coordinator.apply_writes',
      // Each document is read into columns once (json_to_recordset, jsonb); reading fields one
      // by one from json elements scanned each element's text again for every field.
      `WITH ${guard}
       inserted AS (${insertRequestsSql('$3', '(SELECT ok FROM ok)')} RETURNING 1),
       updated AS (
         UPDATE requests r
            SET status = u.status, decision_id = u.decision_id, decision_count = u.decision_count,
                channel = u.channel, at = u.at, send_before = u.send_before, merged_into = u.merged_into
           FROM json_to_recordset($1::json) AS u(request_key text, status text, decision_id text, decision_count int,
                channel text, at timestamptz, send_before timestamptz, merged_into text)
          WHERE r.request_key = u.request_key AND (SELECT ok FROM ok)),
       logged AS (
       INSERT INTO decision_log (decision_id, request_key, customer_id, outcome, channel, reasons, policy_version, decided_at, event,
                                 cause, cause_seq, summary, timeline_seq)
       SELECT d."decisionId", d."requestKey", d."customerId", d.outcome, d.channel, e.event->'data'->'reasons', d."policyVersion",
              d."decidedAt", e.event, d.cause, d."causeSeq", d.summary, nextval('timeline_id_seq')
         -- Each decision's fields, beside its event (the JSON it was published as, one per line: a
         -- serialized JSON value has no raw line break); the two are read side by side, and each
         -- event is parsed once (OFFSET 0 keeps Postgres from parsing it again for every use).
         FROM ROWS FROM (json_to_recordset($2::json) AS ("decisionId" text, "requestKey" text, "customerId" text, outcome text,
              channel text, "policyVersion" text, "decidedAt" timestamptz, cause text, "causeSeq" int, summary text),
              string_to_table($4::text, E'\n'))
              WITH ORDINALITY AS d("decisionId", "requestKey", "customerId", outcome, channel, "policyVersion",
              "decidedAt", cause, "causeSeq", summary, event_json, n)
        CROSS JOIN LATERAL (SELECT d.event_json::jsonb AS event OFFSET 0) e
        WHERE (SELECT count(*) FROM inserted) >= 0 AND (SELECT ok FROM ok)
        ORDER BY d.n
       ON CONFLICT (decision_id) DO NOTHING)
       SELECT (SELECT count(*)::int FROM inserted) AS stored, (SELECT ok FROM ok) AS ok`,
      [
        JSON.stringify(
          [...w.states.values()]
            .filter((u) => !inserted.has(u.request_key))
            .map((u) => ({ request_key: u.request_key, ...decidedState(u) })),
        ),
        JSON.stringify(w.decisions.map(({ event: _event, ...d }) => d)),
        JSON.stringify(
          w.inserts.map(({ row, from }) => ({
            r: requestOf(row),
            s: decidedState(row),
            ...from,
          })),
        ),
        // Each event as it was serialized to be published (its reasons are read from it).
        w.decisions.length > 0 ? w.decisions.map((d) => d.event).join('\n') : null,
        ...(ifVersions ? [guarded.map(([c]) => c), guarded.map(([, v]) => v), [...inserted]] : []),
      ],
    );
    const { stored, ok } = result!;
    if (!ok) return false;
    if (stored !== w.inserts.length)
      throw new Error(
        `${w.inserts.length - stored} of ${w.inserts.length} new requests were stored meanwhile by another transaction; trying the batch again`,
      );
    return true;
  }

  /**
   * Serializes all work on one customer, whichever instance or path (Kafka, timer) does it. Every
   * change to a customer's ledger is made under this lock, which raises its version.
   */
  async lockCustomer(tx: EntityManager, customerId: string): Promise<void> {
    await this.lockCustomers(tx, [customerId]);
  }

  /** `lockCustomer` for many customers, in one statement (always in the same order). */
  async lockCustomers(tx: EntityManager, customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    // What this instance keeps of them goes stale with this change: forgotten now, their next
    // contact request goes straight to the lock rather than finding the version changed after
    // deciding from memory (another instance's changes are found that way).
    for (const id of customerIds) this.cache?.drop(id);
    await tx.query(LOCK_CUSTOMERS_SQL, [customerIds]);
  }

  /**
   * The decisions' messages went out — each on its `channel`, which differs from the decided one
   * when the dispatcher fell back to the next allowed channel (reminders and updates then follow
   * it there); a decision named twice ends on its last channel. Returns the requests that changed,
   * by decision id, to plan their reminders.
   */
  async markSent(
    tx: EntityManager,
    sent: readonly { decisionId: string; channel: string }[],
  ): Promise<Map<string, StoredRequest>> {
    const last = new Map(sent.map((s) => [s.decisionId, s.channel]));
    if (last.size === 0) return new Map();
    const rows = await tx.query(
      // Found by the index on decision_id (a join to the list would scan the table).
      `UPDATE requests r SET sent = true, channel = $2::jsonb->>r.decision_id
        WHERE r.decision_id = ANY($1::text[])
          AND (NOT r.sent OR r.channel IS DISTINCT FROM $2::jsonb->>r.decision_id)
        RETURNING r.decision_id, r.request`,
      [[...last.keys()], JSON.stringify(Object.fromEntries(last))],
    );
    return new Map(
      returnedRows<{ decision_id: string; request: StoredRequest }>(rows).map((r) => [
        r.decision_id,
        r.request,
      ]),
    );
  }

  async markEngaged(tx: EntityManager, decisionIds: readonly string[]): Promise<void> {
    if (decisionIds.length === 0) return;
    await tx.query('UPDATE requests SET engaged = true WHERE decision_id = ANY($1::text[])', [
      [...new Set(decisionIds)],
    ]);
  }

  async openCase(
    tx: EntityManager,
    customerId: string,
    caseId: string,
    kind: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO cases (customer_id, case_id, kind, opened_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [customerId, caseId, kind, at],
    );
  }

  async closeCase(tx: EntityManager, customerId: string, caseId: string): Promise<void> {
    await tx.query('DELETE FROM cases WHERE customer_id = $1 AND case_id = $2', [
      customerId,
      caseId,
    ]);
  }

  /** Records an intent done: anyone's requests of it, or only `bySource`'s when given. */
  async fulfil(
    tx: EntityManager,
    customerId: string,
    intentKey: string,
    at: Date,
    bySource?: string,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO fulfilments (customer_id, intent_key, at, by_source) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [customerId, intentKey, at, bySource ?? null],
    );
  }

  /**
   * The customer's latest message that went out asking for this reply (its action's
   * `replyKeyword`, in any case) and has not expired at `at`: what a reply with that word answers.
   */
  async answeredByReply(
    tx: EntityManager,
    customerId: string,
    keyword: string,
    at: Date,
  ): Promise<{ decisionId: string; intentKey: string; intentType: string } | undefined> {
    const rows = (await tx.query(
      `SELECT decision_id AS "decisionId", intent_key AS "intentKey", request->>'intentType' AS "intentType"
         FROM requests
        WHERE customer_id = $1 AND status = 'approved' AND sent
          AND upper(request->'action'->>'replyKeyword') = upper($2)
          AND (request->>'expiresAt')::timestamptz > $3
        ORDER BY at DESC NULLS LAST
        LIMIT 1`,
      [customerId, keyword, at],
    )) as { decisionId: string; intentKey: string; intentType: string }[];
    return rows[0];
  }

  async recordInbound(
    tx: EntityManager,
    customerId: string,
    channel: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO last_inbound (customer_id, channel, at) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) DO UPDATE SET channel = EXCLUDED.channel, at = EXCLUDED.at WHERE last_inbound.at <= EXCLUDED.at`,
      [customerId, channel, at],
    );
  }

  /**
   * Keeps each customer's newest profile: an older version arriving late never replaces a newer
   * one. Says of each (in the order given) whether it was kept, and the profile it replaced (none:
   * the customer's first) — a customer's second profile in the batch replaces its first. The
   * customers' locks are held.
   */
  async saveProfiles(
    tx: EntityManager,
    profiles: readonly { profile: ProfileData; at: Date }[],
  ): Promise<{ saved: boolean; previous?: ProfileData }[]> {
    if (profiles.length === 0) return [];
    const stored = new Map(
      (
        (await tx.query(
          'SELECT customer_id, profile FROM profiles WHERE customer_id = ANY($1::text[])',
          [[...new Set(profiles.map((p) => p.profile.customerId))]],
        )) as { customer_id: string; profile: ProfileData }[]
      ).map((r) => [r.customer_id, r.profile]),
    );
    const kept = new Map<string, { profile: ProfileData; at: Date }>();
    const results = profiles.map(({ profile, at }) => {
      const previous = stored.get(profile.customerId);
      if (previous && previous.version > profile.version) return { saved: false, previous };
      stored.set(profile.customerId, profile);
      kept.set(profile.customerId, { profile, at });
      return { saved: true, ...(previous ? { previous } : {}) };
    });
    if (kept.size > 0)
      await tx.query(
        `INSERT INTO profiles (customer_id, version, profile, updated_at)
         SELECT e->'profile'->>'customerId', (e->'profile'->>'version')::int, e->'profile', (e->>'at')::timestamptz
           FROM jsonb_array_elements($1::jsonb) AS e
         ON CONFLICT (customer_id) DO UPDATE SET version = EXCLUDED.version, profile = EXCLUDED.profile, updated_at = EXCLUDED.updated_at
         WHERE profiles.version <= EXCLUDED.version`,
        [JSON.stringify([...kept.values()])],
      );
    return results;
  }

  /** Held requests whose time has come, claimed so that no other instance takes them too. */
  async dueRequests(
    tx: EntityManager,
    now: Date,
    limit: number,
    /** Customers to leave out (set aside after their work failed). */
    skip: readonly string[] = [],
  ): Promise<{ request_key: string; customer_id: string }[]> {
    return (await tx.query(
      `SELECT request_key, customer_id FROM requests
        WHERE status = 'deferred' AND at <= $1 AND customer_id <> ALL($3::text[])
        ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit, skip],
    )) as { request_key: string; customer_id: string }[];
  }

  /**
   * Locks the customer's held requests that are due at `now` (the customer's lock held), skipping
   * any another instance has claimed (it decides those once it has the customer's lock, and is
   * not kept waiting on this transaction's locks while it holds one of theirs); returns their keys.
   */
  async claimDueOf(tx: EntityManager, customerId: string, now: Date): Promise<Set<string>> {
    const rows = (await tx.query(
      `SELECT request_key FROM requests WHERE customer_id = $1 AND status = 'deferred' AND at <= $2
        FOR UPDATE SKIP LOCKED`,
      [customerId, now],
    )) as { request_key: string }[];
    return new Set(rows.map((r) => r.request_key));
  }

  async addTimeline(
    tx: EntityManager,
    customerId: string,
    at: Date | string,
    kind: string,
    summary: string,
    detail: unknown,
  ): Promise<void> {
    await this.addTimelines(tx, [{ customerId, at, kind, summary, detail }]);
  }

  /** Timeline entries, in one statement, recorded in the order given. */
  async addTimelines(
    tx: EntityManager,
    entries: readonly {
      customerId: string;
      at: Date | string;
      kind: string;
      summary: string;
      detail: unknown;
    }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    await tx.query(
      `INSERT INTO timeline (customer_id, at, kind, summary, detail)
       SELECT e->>'customerId', (e->>'at')::timestamptz, e->>'kind', e->>'summary', e->'detail'
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n`,
      [JSON.stringify(entries)],
    );
  }

  /**
   * A customer's timeline, in the order it was recorded: the timeline's own rows (deliveries,
   * interactions, reminders, others' decisions), and, from the ledger, the departments' requests
   * and the coordinator's decisions (with their reasons) — each stored once.
   */
  async timeline(tx: EntityManager, customerId: string, limit: number) {
    return (await tx.query(
      `SELECT at, kind, summary, detail FROM (
         SELECT at, id AS seq, kind, summary, detail FROM timeline WHERE customer_id = $1
         UNION ALL
         SELECT received_at, timeline_seq, 'request',
                source || ' asked to send ' || intent_type || ' ("' || intent_key || '").',
                jsonb_build_object('requestId', request_id, 'source', source, 'intentType', intent_type, 'intentKey', intent_key)
           FROM requests WHERE customer_id = $1 AND timeline_seq IS NOT NULL
         UNION ALL
         SELECT decided_at, timeline_seq, 'decision', summary,
                jsonb_strip_nulls(jsonb_build_object(
                  'decisionId', decision_id, 'requestId', event->'data'->'requestId', 'source', event->'data'->'requestSource',
                  'outcome', outcome, 'channel', channel, 'sendAfter', event->'data'->'sendAfter',
                  'deferredUntil', event->'data'->'deferredUntil', 'mergedInto', event->'data'->'mergedInto',
                  'reasons', reasons, 'policyVersion', policy_version))
           FROM decision_log WHERE customer_id = $1 AND timeline_seq IS NOT NULL) t
        ORDER BY at, seq LIMIT $2`,
      [customerId, limit],
    )) as { at: Date; kind: string; summary: string; detail: Record<string, unknown> }[];
  }
}

/** The columns of a request's state that decisions change. */
function decidedState(row: RequestRow) {
  return {
    status: row.status,
    decision_id: row.decision_id,
    decision_count: row.decision_count,
    channel: row.channel,
    at: row.at,
    send_before: row.send_before,
    merged_into: row.merged_into,
  };
}

interface OtherState {
  cases: { caseId: string; kind: string }[];
  fulfilled: { intentKey: string; at: string; source: string | null }[];
  inbound: { channel: string; at: string } | null;
  profile: ProfileData | null;
}

/**
 * Runs one of the statements every batch runs as a named prepared statement of its connection:
 * Postgres parses and plans it once per connection rather than at every batch. Planning the batch
 * write alone cost ~0.6 ms of Postgres's CPU each time (measured: 930–1,080 µs a statement
 * unnamed against 320–410 µs prepared), which a steady stream of small batches pays per handful
 * of requests. (Postgres still plans afresh where a value would change the plan much.)
 */
async function preparedQuery<T>(
  tx: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const own = tx.queryRunner ? undefined : tx.connection.createQueryRunner();
  const runner = tx.queryRunner ?? own!;
  try {
    const client = (await runner.connect()) as PoolClient;
    return (await client.query<T & QueryResultRow>({ name, text, values })).rows;
  } finally {
    await own?.release();
  }
}

/**
 * Inserts the requests of the JSON array `param` — `{ r: StoredRequest, s?: { status, at, … },
 * topic?, offset? }` each — in its order, with the state `s` gives (pending by default). With
 * `topic` and `offset`, a request remembers where it was read (see `earlierClaims`) and takes its
 * place on the timeline; a planned reminder has neither. Nothing is inserted unless the SQL
 * `condition` holds (the batch write's version check).
 */
function insertRequestsSql(param: string, condition = 'true'): string {
  return `INSERT INTO requests (request_key, customer_id, source, request_id, intent_type, intent_key, category, urgency,
                        request, status, decision_id, decision_count, channel, at, send_before, merged_into,
                        update_seq, reminder_of, received_at, expires_at, source_topic, source_offset, timeline_seq)
  SELECT e->>'requestKey', e->>'customerId', e->>'source', e->>'requestId', e->>'intentType', e->>'intentKey',
         e->>'category', e->>'urgency', e, coalesce(s->>'status', 'pending'), s->>'decision_id',
         coalesce((s->>'decision_count')::int, 0), s->>'channel', (s->>'at')::timestamptz,
         (s->>'send_before')::timestamptz, s->>'merged_into', (e->>'update')::int, e->'reminder'->>'of',
         (e->>'receivedAt')::timestamptz, (e->>'expiresAt')::timestamptz, x->>'topic', (x->>'offset')::bigint,
         CASE WHEN x ? 'topic' THEN nextval('timeline_id_seq') END
    FROM jsonb_array_elements(${param}::jsonb) x, LATERAL (SELECT x->'r' AS e, x->'s' AS s) r
   WHERE ${condition}
  ON CONFLICT (request_key) DO NOTHING`;
}
