/** What one schema's connections did with the shared session in a window. */
interface SchemaUse {
  statements: number;
  transactions: number;
  /** Postgres at work on their statements. */
  busyMs: number;
  /** The session theirs, from the first statement of a transaction to its end (busy or waiting). */
  heldMs: number;
}

/**
 * Where the embedded database's one session spends its time, for `OV_EMBEDDED_DB_USAGE_MS`: per
 * schema (a service), how many statements and transactions, how long Postgres worked on them and
 * how long they held the session (the difference is the time it waited on its client, everyone
 * else waiting behind), and the statements that cost the most.
 */
export class SessionUsage {
  private bySchema = new Map<string, SchemaUse>();
  private byStatement = new Map<string, { count: number; busyMs: number }>();
  private since = performance.now();

  /** One unit run (a statement up to its Sync, or a simple query) for `schema`. */
  ran(schema: string, sql: string | undefined, busyMs: number): void {
    const use = this.schema(schema);
    use.statements++;
    use.busyMs += busyMs;
    if (sql === undefined) return;
    const key = `${schema}: ${sql.replace(/\s+/g, ' ').slice(0, 100)}`;
    const s = this.byStatement.get(key) ?? { count: 0, busyMs: 0 };
    s.count++;
    s.busyMs += busyMs;
    this.byStatement.set(key, s);
  }

  /** A transaction (or a statement outside one) of `schema` ended, having held the session `heldMs`. */
  ended(schema: string, heldMs: number): void {
    const use = this.schema(schema);
    use.transactions++;
    use.heldMs += heldMs;
  }

  /** The window's figures, and a new window begins. */
  take(top = 10): Record<string, unknown> {
    const windowMs = performance.now() - this.since;
    let busy = 0;
    let held = 0;
    const schemas: Record<string, unknown> = {};
    for (const [name, u] of this.bySchema) {
      busy += u.busyMs;
      held += u.heldMs;
      schemas[name] = {
        statements: u.statements,
        transactions: u.transactions,
        busyMs: Math.round(u.busyMs),
        heldMs: Math.round(u.heldMs),
      };
    }
    const costliest = [...this.byStatement]
      .sort((a, b) => b[1].busyMs - a[1].busyMs)
      .slice(0, top)
      .map(([sql, s]) => ({ sql, count: s.count, busyMs: Math.round(s.busyMs) }));
    this.bySchema = new Map();
    this.byStatement = new Map();
    this.since = performance.now();
    return {
      windowMs: Math.round(windowMs),
      busyPercent: Math.round((100 * busy) / windowMs),
      heldPercent: Math.round((100 * held) / windowMs),
      schemas,
      costliest,
    };
  }

  private schema(name: string): SchemaUse {
    let use = this.bySchema.get(name);
    if (!use) {
      use = { statements: 0, transactions: 0, busyMs: 0, heldMs: 0 };
      this.bySchema.set(name, use);
    }
    return use;
  }
}
