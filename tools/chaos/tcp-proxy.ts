import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/**
 * What a proxy does to the traffic through it: `pass`; `latency` (each chunk held `ms` before it
 * goes on); `blackhole` (connections are accepted and open ones kept, but nothing goes through
 * either way — a network partition: callers wait on their timeouts); `refuse` (open connections
 * reset, new ones reset at once — a server restarting).
 */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'latency'; ms: number }
  | { kind: 'blackhole' }
  | { kind: 'refuse' };

/**
 * A TCP proxy between the services and a server (Postgres, the provider), for fault injection:
 * its mode changes while connections are open. Bytes are forwarded unchanged.
 */
export class TcpProxy {
  private server?: Server;
  private mode: ProxyMode = { kind: 'pass' };
  private readonly pairs = new Set<[Socket, Socket]>();
  /** Connections made through it, and those it reset. */
  readonly counts = { connections: 0, resets: 0 };

  constructor(
    private readonly target: { host: string; port: number },
    readonly name: string,
  ) {}

  /** Listens on 127.0.0.1 (`port`, or any free one); returns the port. */
  async start(port = 0): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** Changes what happens to traffic from now on; `refuse` also resets what is open. */
  set(mode: ProxyMode): void {
    this.mode = mode;
    if (mode.kind === 'refuse') this.resetAll();
    if (mode.kind === 'pass' || mode.kind === 'latency')
      for (const [client, upstream] of this.pairs) {
        client.resume();
        upstream.resume();
      }
  }

  /** Resets every open connection (both ends see ECONNRESET). */
  resetAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
      this.counts.resets++;
    }
    this.pairs.clear();
  }

  async stop(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private accept(client: Socket): void {
    if (this.mode.kind === 'refuse') {
      client.resetAndDestroy();
      this.counts.resets++;
      return;
    }
    this.counts.connections++;
    const upstream = new Socket();
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    upstream.connect(this.target.port, this.target.host);
    this.forward(client, upstream);
    this.forward(upstream, client);
  }

  /** Copies `from` to `to` under the mode in force when each chunk arrives. */
  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      const mode = this.mode;
      if (mode.kind === 'blackhole') {
        // Held, not dropped: TCP would not lose them either; they flow once the partition heals.
        from.pause();
        from.unshift(chunk);
        return;
      }
      if (mode.kind === 'latency') {
        from.pause();
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
          from.resume();
        }, mode.ms);
        return;
      }
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
  }
}
