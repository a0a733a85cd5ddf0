import { Duplex } from 'node:stream';

/**
 * One end of an in-process connection: what `pg` asks of a socket (connect, write, end, destroy,
 * its events), with no kernel in between. Bytes written at one end arrive at the other on the
 * next tick, in order — not a whole turn of the event loop later, as over TCP.
 */
export class InProcessSocket extends Duplex {
  private peer!: InProcessSocket;

  /** Two ends joined: what one writes, the other reads. */
  static pair(): [InProcessSocket, InProcessSocket] {
    const a = new InProcessSocket();
    const b = new InProcessSocket();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  private constructor() {
    super({ allowHalfOpen: false });
  }

  /** Joined already: says so, as a socket does once its connection is made. */
  connect(): this {
    process.nextTick(() => this.emit('connect'));
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  override _read(): void {
    // Pushed to by the peer's writes.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    const peer = this.peer;
    process.nextTick(() => {
      if (!peer.destroyed) peer.push(chunk);
    });
    done();
  }

  override _final(done: (error?: Error) => void): void {
    const peer = this.peer;
    process.nextTick(() => {
      if (!peer.destroyed) peer.push(null);
    });
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    const peer = this.peer;
    // The other end sees the connection close, as a socket's peer does.
    process.nextTick(() => {
      if (!peer.destroyed) peer.destroy();
    });
    done(error);
  }
}

/** The databases this process serves itself, by the address in their URL. */
const served = new Map<string, () => InProcessSocket>();

function addressOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}`;
}

/** Connections to `url` from this process go through `connect`, not TCP (until `forget`). */
export function serveInProcess(url: string, connect: () => InProcessSocket): () => void {
  const address = addressOf(url);
  served.set(address, connect);
  return () => {
    if (served.get(address) === connect) served.delete(address);
  };
}

/**
 * For `pg`'s `stream` option: a connection of this process's own to `url` when this process
 * serves it (the embedded mode), else undefined (TCP).
 */
export function inProcessStream(url: string): (() => InProcessSocket) | undefined {
  return served.get(addressOf(url));
}
