import { Logger } from '@nestjs/common';
import {
  closeSync,
  fdatasync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Partitioners, type IHeaders, type KafkaMessage, type PartitionMetadata } from 'kafkajs';

/** A record as it is appended: Kafka's shape (key, value, headers), strings or bytes. */
export interface LogRecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
  /** A partition chosen by the caller; otherwise murmur2 of the key, as Kafka's clients do. */
  partition?: number;
}

export interface DurableLogOptions {
  /** Where the log lives: a folder per topic, a file per partition, a file per consumer group. */
  dir: string;
  /** Partitions of every topic (`OV_PARTITIONS`): the same keys land on the same partitions as in Kafka. */
  partitions: number;
  /** The topics that exist; appending to or reading another fails, as with Kafka's auto-creation off. */
  topics: readonly string[];
}

/**
 * Each record on disk: [length u32][crc32 of what follows u32][offset i64][timestamp f64]
 * [key length i32 (-1: null)][key][value length i32 (-1: null)][value][headers length u32][headers JSON].
 */
const HEAD = 8;

/** One partition's file, and where each of its records starts. */
class PartitionFile {
  /** Byte position of each record, by offset; the file's size after the last. */
  readonly positions: number[] = [];
  size = 0;
  /** Records a reader may see: appended and on disk (fdatasync done). */
  durable = 0;
  dirty = false;
  constructor(
    readonly fd: number,
    readonly path: string,
  ) {}
  get end(): number {
    return this.positions.length;
  }
}

type Waiter = () => void;

/**
 * The embedded mode's stand-in for Kafka's log: for each topic and partition an append-only file
 * of records (offsets from 0, dense), kept on disk with fdatasync before an append resolves, and a
 * committed offset per consumer group and partition. Readers see a record only once it is on disk,
 * so nothing consumed can be lost by a crash. A torn record at a file's end (a crash mid-write) is
 * cut off when the log is opened.
 *
 * Not Kafka: one process owns it (a lock file says which), nothing is replicated, and nothing is
 * compacted or deleted yet (docs/transport.md).
 */
export class DurableLog {
  private readonly logger = new Logger('DurableLog');
  private readonly files = new Map<string, PartitionFile>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly offsets = new Map<string, Map<string, bigint>>();
  private readonly offsetFds = new Map<string, number>();
  private readonly dirtyOffsetFds = new Set<number>();
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly partitionMetadata: PartitionMetadata[];
  private flushing: Promise<void> | undefined;
  private flushQueued: Promise<void> | undefined;
  private closed = false;
  private readonly lockFile: string;

  private constructor(private readonly options: DurableLogOptions) {
    this.partitionMetadata = Array.from({ length: options.partitions }, (_, i) => ({
      partitionId: i,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    this.lockFile = join(options.dir, 'owner.pid');
  }

  /** Opens the log in `dir` (creating it), recovering each partition up to its last whole record. */
  static open(options: DurableLogOptions): DurableLog {
    mkdirSync(join(options.dir, 'groups'), { recursive: true });
    const log = new DurableLog(options);
    log.takeOwnership();
    const started = performance.now();
    let records = 0;
    for (const topic of options.topics) {
      mkdirSync(join(options.dir, topic), { recursive: true });
      const present = readdirSync(join(options.dir, topic)).filter((f) => f.endsWith('.log'));
      if (present.length > options.partitions)
        throw new Error(
          `${topic} has ${present.length} partitions in ${options.dir}, but OV_PARTITIONS is ${options.partitions}: start with the count it was made with`,
        );
      for (let p = 0; p < options.partitions; p++) records += log.recover(topic, p).end;
    }
    for (const file of readdirSync(join(options.dir, 'groups')))
      if (file.endsWith('.offsets')) log.loadGroup(file.slice(0, -'.offsets'.length));
    log.logger.log({
      msg: 'opened the durable log',
      dir: options.dir,
      topics: options.topics.length,
      partitions: options.partitions,
      records,
      ms: Math.round(performance.now() - started),
    });
    return log;
  }

  get partitions(): number {
    return this.options.partitions;
  }

  get topics(): readonly string[] {
    return this.options.topics;
  }

  /** Which partition a record goes to: Kafka's default partitioner (murmur2 of the key). */
  partitionOf(topic: string, record: LogRecordInput): number {
    if (record.partition !== undefined) {
      if (!Number.isInteger(record.partition) || record.partition < 0)
        throw new Error(`no partition ${record.partition} in ${topic}`);
      if (record.partition >= this.options.partitions)
        throw new Error(`no partition ${record.partition} in ${topic}`);
      return record.partition;
    }
    return this.partitioner({
      topic,
      partitionMetadata: this.partitionMetadata,
      message: { key: record.key ?? null, value: record.value },
    });
  }

  /**
   * Appends records (in order: a key's records keep their order) and resolves once they are on
   * disk, with where each went. Appends made in the same turn share one fdatasync.
   */
  async append(
    topic: string,
    records: readonly LogRecordInput[],
    timestamp = wallClock(),
  ): Promise<{ partition: number; offset: string }[]> {
    const placed = this.appendNow(topic, records, timestamp);
    await this.flush();
    return placed;
  }

  /** Writes records now (not yet durable); `flush` makes them so. */
  appendNow(
    topic: string,
    records: readonly LogRecordInput[],
    timestamp = wallClock(),
  ): { partition: number; offset: string }[] {
    if (this.closed) throw new Error('the durable log is closed');
    const placed: { partition: number; offset: string }[] = [];
    for (const record of records) {
      const partition = this.partitionOf(topic, record);
      const file = this.file(topic, partition);
      const offset = file.end;
      const bytes = encode(offset, timestamp, record);
      writeFully(file.fd, bytes, file.size);
      file.positions.push(file.size);
      file.size += bytes.length;
      file.dirty = true;
      placed.push({ partition, offset: String(offset) });
    }
    return placed;
  }

  /** Makes everything appended so far durable and visible to readers (one fdatasync per file). */
  flush(): Promise<void> {
    // One flush runs at a time; the ones asked for meanwhile share the next.
    if (!this.flushing) {
      this.flushing = this.flushOnce().finally(() => (this.flushing = undefined));
      return this.flushing;
    }
    this.flushQueued ??= this.flushing.then(() => {
      this.flushQueued = undefined;
      return this.flush();
    });
    return this.flushQueued;
  }

  private async flushOnce(): Promise<void> {
    const files = [...this.files.entries()].filter(([, f]) => f.dirty);
    const groups = [...this.dirtyOffsetFds];
    this.dirtyOffsetFds.clear();
    const ends = files.map(([, f]) => {
      f.dirty = false;
      return f.end;
    });
    await Promise.all([
      ...files.map(([, f]) => datasync(f.fd)),
      ...groups.map((fd) => datasync(fd)),
    ]);
    files.forEach(([key, f], i) => {
      if (ends[i]! > f.durable) {
        f.durable = ends[i]!;
        this.wake(key);
      }
    });
  }

  /** The offset after the last durable record of a partition (Kafka's high-water mark). */
  end(topic: string, partition: number): bigint {
    return BigInt(this.file(topic, partition).durable);
  }

  /** Up to `max` durable records of a partition from `offset`, as kafkajs gives them to a consumer. */
  read(topic: string, partition: number, offset: bigint, max = 500): KafkaMessage[] {
    const file = this.file(topic, partition);
    const from = Number(offset);
    const to = Math.min(file.durable, from + max);
    if (from >= to) return [];
    const start = file.positions[from]!;
    const stop = to < file.end ? file.positions[to]! : file.size;
    const buf = Buffer.allocUnsafe(stop - start);
    readFully(file.fd, buf, start);
    const out: KafkaMessage[] = [];
    for (let at = 0; at < buf.length; ) {
      const decoded = decode(buf, at);
      if (!decoded) throw new Error(`${file.path}: record at ${start + at} does not read back`);
      out.push(decoded.message);
      at = decoded.next;
    }
    return out;
  }

  /** Resolves when a partition has a durable record at `offset`, or the log closes, or `signal` aborts. */
  waitFor(topic: string, partition: number, offset: bigint, signal?: AbortSignal): Promise<void> {
    const key = `${topic}/${partition}`;
    if (this.closed || BigInt(this.file(topic, partition).durable) > offset || signal?.aborted)
      return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set<Waiter>();
      this.waiters.set(key, set);
      const done = () => {
        set.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** A consumer group's committed offset of a partition (the next to read), if it has one. */
  committed(group: string, topic: string, partition: number): bigint | undefined {
    return this.offsets.get(group)?.get(`${topic}/${partition}`);
  }

  /** Commits a group's offsets (each the next offset to read); resolves once they are on disk. */
  async commit(
    group: string,
    offsets: readonly { topic: string; partition: number; offset: string }[],
  ): Promise<void> {
    if (offsets.length === 0) return;
    if (this.closed) throw new Error('the durable log is closed');
    const fd = this.groupFd(group);
    const map = this.offsets.get(group)!;
    const lines = offsets.map((o) => {
      map.set(`${o.topic}/${o.partition}`, BigInt(o.offset));
      return `${JSON.stringify([o.topic, o.partition, o.offset])}\n`;
    });
    const bytes = Buffer.from(lines.join(''));
    writeFully(fd, bytes, fstatSync(fd).size);
    this.dirtyOffsetFds.add(fd);
    await this.flush();
  }

  /** Every group's committed offsets. */
  groups(): Map<string, Map<string, bigint>> {
    return this.offsets;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
    for (const file of this.files.values()) closeSync(file.fd);
    for (const fd of this.offsetFds.values()) closeSync(fd);
    this.files.clear();
    this.offsetFds.clear();
    writeFileSync(this.lockFile, '');
  }

  private file(topic: string, partition: number): PartitionFile {
    const file = this.files.get(`${topic}/${partition}`);
    if (!file) {
      if (!this.options.topics.includes(topic))
        throw Object.assign(new Error(`unknown topic ${topic}`), { type: 'UNKNOWN_TOPIC' });
      throw new Error(`no partition ${partition} in ${topic}`);
    }
    return file;
  }

  private wake(key: string): void {
    const set = this.waiters.get(key);
    if (set) for (const wake of [...set]) wake();
  }

  /** Reads a partition's file, keeps where each whole record starts, and cuts off a torn end. */
  private recover(topic: string, partition: number): PartitionFile {
    const path = join(this.options.dir, topic, `${partition}.log`);
    const fd = openSync(path, 'a+');
    const file = new PartitionFile(fd, path);
    const size = fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(1 << 20);
    let pending = Buffer.alloc(0);
    let base = 0;
    let read = 0;
    scan: while (read < size) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - read), read);
      if (n === 0) break;
      read += n;
      pending =
        pending.length === 0
          ? chunk.subarray(0, n)
          : Buffer.concat([pending, chunk.subarray(0, n)]);
      let at = 0;
      while (at + HEAD <= pending.length) {
        const length = pending.readUInt32BE(at);
        if (at + HEAD + length > pending.length) break;
        const decoded = decode(pending, at);
        if (!decoded || decoded.message.offset !== String(file.end)) {
          break scan;
        }
        file.positions.push(base + at);
        at = decoded.next;
      }
      base += at;
      pending = Buffer.from(pending.subarray(at));
    }
    if (base < size) {
      this.logger.warn({
        msg: 'cut off a torn record at the end of a partition (a crash mid-append)',
        file: path,
        bytes: size - base,
      });
      ftruncateSync(fd, base);
    }
    file.size = base;
    file.durable = file.end;
    this.files.set(`${topic}/${partition}`, file);
    return file;
  }

  private loadGroup(group: string): void {
    const path = join(this.options.dir, 'groups', `${group}.offsets`);
    const map = new Map<string, bigint>();
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      try {
        const [topic, partition, offset] = JSON.parse(line) as [string, number, string];
        map.set(`${topic}/${partition}`, BigInt(offset));
      } catch {
        // A torn last line (a crash mid-commit): that commit did not happen.
      }
    }
    // Rewritten with only the latest offsets, so the file does not grow for ever.
    const compact = [...map].map(([key, offset]) => {
      const slash = key.lastIndexOf('/');
      return `${JSON.stringify([key.slice(0, slash), Number(key.slice(slash + 1)), String(offset)])}\n`;
    });
    writeFileSync(`${path}.tmp`, compact.join(''));
    renameSync(`${path}.tmp`, path);
    this.offsets.set(group, map);
  }

  private groupFd(group: string): number {
    if (!/^[A-Za-z0-9._-]+$/.test(group)) throw new Error(`bad consumer group name: ${group}`);
    let fd = this.offsetFds.get(group);
    if (fd === undefined) {
      fd = openSync(join(this.options.dir, 'groups', `${group}.offsets`), 'a');
      this.offsetFds.set(group, fd);
      if (!this.offsets.has(group)) this.offsets.set(group, new Map());
    }
    return fd;
  }

  /** One process at a time: a second one on the same folder would corrupt it. */
  private takeOwnership(): void {
    let owner = 0;
    try {
      owner = Number(readFileSync(this.lockFile, 'utf8').trim()) || 0;
    } catch {
      // No lock file: nobody owns it.
    }
    if (owner && owner !== process.pid && alive(owner))
      throw new Error(
        `${this.options.dir} is in use by process ${owner} (another OneVoice running embedded): stop it first, or give this one another OV_DATA_DIR`,
      );
    writeFileSync(this.lockFile, String(process.pid));
  }
}

/**
 * A record's timestamp, as Kafka's producers stamp it: the machine's time, which decides nothing
 * (the services' decisions take their Clock's).
 */
function wallClock(): number {
  // eslint-disable-next-line no-restricted-syntax
  return Date.now();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toBuffer(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v) : v;
}

function encode(offset: number, timestamp: number, record: LogRecordInput): Buffer {
  const key = toBuffer(record.key);
  const value = toBuffer(record.value);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.headers ?? {})) {
    if (v === undefined) continue;
    headers[k] = Array.isArray(v) ? String(v[0] ?? '') : Buffer.isBuffer(v) ? v.toString() : v;
  }
  const headerBytes = Buffer.from(JSON.stringify(headers));
  const body = 8 + 8 + 4 + (key?.length ?? 0) + 4 + (value?.length ?? 0) + 4 + headerBytes.length;
  const buf = Buffer.allocUnsafe(HEAD + body);
  let at = HEAD;
  buf.writeBigInt64BE(BigInt(offset), at);
  buf.writeDoubleBE(timestamp, (at += 8));
  at += 8;
  for (const part of [key, value]) {
    buf.writeInt32BE(part ? part.length : -1, at);
    at += 4;
    if (part) at += part.copy(buf, at);
  }
  buf.writeUInt32BE(headerBytes.length, at);
  at += 4;
  headerBytes.copy(buf, at);
  buf.writeUInt32BE(body, 0);
  buf.writeUInt32BE(crc32(buf.subarray(HEAD)), 4);
  return buf;
}

function decode(buf: Buffer, at: number): { message: KafkaMessage; next: number } | undefined {
  const length = buf.readUInt32BE(at);
  const next = at + HEAD + length;
  if (next > buf.length) return undefined;
  const body = buf.subarray(at + HEAD, next);
  if (crc32(body) !== buf.readUInt32BE(at + 4)) return undefined;
  let p = 0;
  const offset = body.readBigInt64BE(p).toString();
  const timestamp = body.readDoubleBE((p += 8));
  p += 8;
  const parts: (Buffer | null)[] = [];
  for (let i = 0; i < 2; i++) {
    const n = body.readInt32BE(p);
    p += 4;
    parts.push(n < 0 ? null : Buffer.from(body.subarray(p, (p += n))));
  }
  const n = body.readUInt32BE(p);
  p += 4;
  const headers = JSON.parse(body.subarray(p, p + n).toString()) as Record<string, string>;
  return {
    next,
    message: {
      offset,
      timestamp: String(timestamp),
      key: parts[0]!,
      value: parts[1]!,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
      attributes: 0,
    },
  };
}

function writeFully(fd: number, bytes: Buffer, position: number): void {
  for (let done = 0; done < bytes.length; )
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

function readFully(fd: number, buf: Buffer, position: number): void {
  for (let done = 0; done < buf.length; ) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error('the log file is shorter than its index');
    done += n;
  }
}

function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}
