import { closeSync, fdatasyncSync, fsyncSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A WAL position: `X/Y` (hex) as Postgres prints it, as a number of bytes. */
function lsnBytes(lsn: string): number {
  const [high, low] = lsn.split('/');
  return parseInt(high!, 16) * 2 ** 32 + parseInt(low!, 16);
}

/** 16 MB segments: Postgres's default, which PGlite keeps. */
const SEGMENT = 16 * 1024 * 1024;
const SEGMENTS_PER_LOG = 2 ** 32 / SEGMENT;

/** The WAL file holding byte `at` on timeline `timeline` (pg_walfile_name's naming). */
function walFile(timeline: string, at: number): string {
  const segment = Math.floor(at / SEGMENT);
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return `${timeline}${hex(Math.floor(segment / SEGMENTS_PER_LOG))}${hex(segment % SEGMENTS_PER_LOG)}`;
}

/**
 * What `fsync` does for a Postgres server, which PGlite cannot do itself (its file system layer has
 * no fsync: its writes reach the operating system, not the disk). `committed` puts the WAL written
 * since the last call on disk — called before a commit is answered, so a commit its client heard
 * of survives a power cut; `checkpointed` puts every data file on disk after a CHECKPOINT, so the
 * WAL the checkpoint lets go of is never needed again.
 */
export class DiskSync {
  private synced = -1;
  private timeline = '00000001';
  /** The segment commits go to now, kept open. */
  private current: { name: string; fd: number } | undefined;
  /** Where the WAL stood at the last checkpoint this made durable. */
  checkpointAt = 0;

  constructor(private readonly dataDir: string) {}

  /** Starts from `lsn`: what was written before it was made durable at open (a checkpoint). */
  begin(lsn: string, file: string): void {
    this.synced = lsnBytes(lsn);
    this.checkpointAt = this.synced;
    this.timeline = file.slice(0, 8);
  }

  /** The WAL now reaches `lsn`: the segments it wrote to since the last call go to disk. */
  committed(lsn: string): { syncedBytes: number } {
    const to = lsnBytes(lsn);
    if (this.synced < 0 || to <= this.synced) return { syncedBytes: 0 };
    for (let at = Math.floor(this.synced / SEGMENT) * SEGMENT; at < to; at += SEGMENT)
      this.syncSegment(walFile(this.timeline, at));
    const syncedBytes = to - this.synced;
    this.synced = to;
    return { syncedBytes };
  }

  /** WAL written since the last durable checkpoint, in bytes. */
  sinceCheckpoint(lsn: string): number {
    return lsnBytes(lsn) - this.checkpointAt;
  }

  /** After a CHECKPOINT at `lsn`: every file of the database to disk. */
  checkpointed(lsn?: string): { files: number } {
    const files = this.syncTree(this.dataDir);
    if (lsn !== undefined) {
      this.checkpointAt = lsnBytes(lsn);
      this.synced = Math.max(this.synced, this.checkpointAt);
    }
    return { files };
  }

  /** Closes the segment kept open. */
  close(): void {
    if (this.current) closeSync(this.current.fd);
    this.current = undefined;
  }

  private syncSegment(name: string): void {
    if (this.current?.name !== name) {
      this.close();
      try {
        this.current = { name, fd: openSync(join(this.dataDir, 'pg_wal', name), 'r+') };
      } catch {
        return; // not there (recycled after a checkpoint made it unneeded)
      }
    }
    fdatasyncSync(this.current!.fd);
  }

  private syncTree(dir: string): number {
    let files = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) files += this.syncTree(path);
      else if (entry.isFile()) {
        this.syncFile(path, false);
        files++;
      }
    }
    // The directory too: a file created or renamed in it is found after a power cut.
    this.syncFile(dir, false);
    return files;
  }

  private syncFile(path: string, dataOnly: boolean): void {
    let fd: number;
    try {
      fd = openSync(path, statSync(path).isDirectory() ? 'r' : 'r+');
    } catch {
      return; // removed meanwhile (a recycled WAL segment, a dropped table)
    }
    try {
      if (dataOnly) fdatasyncSync(fd);
      else fsyncSync(fd);
    } catch {
      // A directory cannot be synced on every platform; its files were.
    } finally {
      closeSync(fd);
    }
  }
}
