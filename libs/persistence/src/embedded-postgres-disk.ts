import { closeSync, fdatasyncSync, fsyncSync, openSync, readdirSync } from 'node:fs';
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
  /** Where the WAL stood at the last sync (the last commit's, or the last checkpoint's). */
  private synced: number;
  /** The timeline the WAL files are named after. */
  private readonly timeline: string;
  /** Where the WAL stood, and when, at the last checkpoint this made durable. */
  private checkpointAt: number;
  private checkpointTime = performance.now();
  /** The segment commits go to now, kept open. */
  private current: { name: string; fd: number } | undefined;

  /**
   * Starts after a CHECKPOINT at `lsn`, in WAL file `file` (its name says the timeline): every file
   * of the database goes to disk now — what was written before this process, or by recovery.
   */
  constructor(
    private readonly dataDir: string,
    lsn: string,
    file: string,
  ) {
    this.timeline = file.slice(0, 8);
    this.synced = this.checkpointAt = lsnBytes(lsn);
    this.syncTree(dataDir);
  }

  /** The WAL now reaches `lsn`: the segments it wrote to since the last call go to disk. */
  committed(lsn: string): void {
    const to = lsnBytes(lsn);
    if (to <= this.synced) return;
    for (let at = Math.floor(this.synced / SEGMENT) * SEGMENT; at < to; at += SEGMENT)
      this.syncSegment(walFile(this.timeline, at));
    this.synced = to;
  }

  /** Whether a checkpoint is due: `everyMs` since the last, or `walBytes` of WAL written. */
  checkpointDue(
    lsn: string,
    { everyMs, walBytes }: { everyMs: number; walBytes: number },
  ): boolean {
    return (
      performance.now() - this.checkpointTime > everyMs ||
      lsnBytes(lsn) - this.checkpointAt > walBytes
    );
  }

  /** After a CHECKPOINT (at `lsn`; none after the last, at close): every file of the database to disk. */
  checkpointed(lsn?: string): { files: number } {
    const files = this.syncTree(this.dataDir);
    if (lsn !== undefined) {
      this.checkpointAt = lsnBytes(lsn);
      this.checkpointTime = performance.now();
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
        this.syncFile(path, 'r+');
        files++;
      }
    }
    // The directory too: a file created or renamed in it is found after a power cut.
    this.syncFile(dir, 'r');
    return files;
  }

  /** fsync of a file (opened 'r+') or a directory ('r'). */
  private syncFile(path: string, mode: 'r' | 'r+'): void {
    let fd: number;
    try {
      fd = openSync(path, mode);
    } catch {
      return; // removed meanwhile (a recycled WAL segment, a dropped table)
    }
    try {
      fsyncSync(fd);
    } catch {
      // A directory cannot be synced on every platform; its files were.
    } finally {
      closeSync(fd);
    }
  }
}
