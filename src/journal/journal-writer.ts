import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorCode } from '../core/errno.js';
import { fsyncDir } from '../vault/fsync-dir.js';
import { compactJournal } from './compact.js';
import type { CompactionResult } from './store.js';
import { JournalFatalError } from './errors.js';
import { JournalRecordSchema, type JournalRecord } from './records.js';

/** Seams for tests: count or fail the flushes. Defaults are the real file operations. */
export interface JournalHooks {
  /** Makes written bytes durable. Default `handle.datasync()` (an append's size change is included). */
  readonly sync?: (handle: FileHandle) => Promise<void>;
  /** Writes bytes at the end of the file. */
  readonly write?: (handle: FileHandle, bytes: Buffer) => Promise<void>;
}

interface Compaction {
  readonly listLive: () => Promise<Iterable<string>>;
  readonly done: Promise<CompactionResult>;
  readonly resolve: (result: CompactionResult) => void;
  readonly reject: (error: Error) => void;
}

interface Pending {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * The daemon's append-only journal. `append` resolves only once its record is on disk (written and
 * fsynced). Group commit: while one write+fsync is in flight, new appends queue up and all go out in the
 * next single write+fsync, so many concurrent plans cost one fsync per batch, not one each.
 *
 * A failed write or fsync is permanent (JournalFatalError for the batch, everything queued and every
 * later append). We never retry an fsync: after a failed fsync the kernel may already have dropped or
 * marked clean the dirty pages it could not write (the 2018 "fsyncgate" finding), so a retry can report
 * success for data that never reached the disk. The only honest answer is to stop and let recovery read
 * what really is on disk.
 */
export class JournalWriter {
  private readonly queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private fatal: JournalFatalError | undefined;
  private closed = false;
  /** A compaction asked for; the drain loop runs it between batches, so no append races it. */
  private compaction: Compaction | undefined;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    /** Bytes in the file, kept as we append: what `compactLive` is weighed against. */
    private bytes: number,
    private readonly sync: (handle: FileHandle) => Promise<void>,
    private readonly write: (handle: FileHandle, bytes: Buffer) => Promise<void>,
    /** The file ended in a torn line: start our first write on a fresh line. */
    private needsNewline: boolean,
  ) {}

  /** Opens (creating if needed) the journal at `path` for appending. */
  static async open(path: string, options: { hooks?: JournalHooks } = {}): Promise<JournalWriter> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'a+', 0o600);
    try {
      const needsNewline = await endsWithTornLine(handle);
      await fsyncDir(dirname(path)); // a newly created journal must survive power loss too
      return new JournalWriter(
        path,
        handle,
        (await handle.stat()).size,
        options.hooks?.sync ?? ((h) => h.datasync()),
        options.hooks?.write ?? writeAll,
        needsNewline,
      );
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Size of the journal file in bytes. */
  get size(): number {
    return this.bytes;
  }

  /**
   * Rewrites the journal keeping only the records of the claims `listLive` names, while the daemon runs.
   * It runs between two batches, so every record already on disk is either kept or belongs to a claim
   * that is over, and appends made meanwhile wait and go to the new file. `listLive` is asked at that
   * moment: a claim is renamed into In_Progress/ before its `claimed` record is written, so every claim
   * with a record in the file is already listed. A failure is fatal, like a failed fsync.
   */
  compactLive(listLive: () => Promise<Iterable<string>>): Promise<CompactionResult> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new Error(`Journal ${this.path} is closed: compaction after close() is a daemon bug.`));
    if (this.compaction) return this.compaction.done;
    let settle!: Pick<Compaction, 'resolve' | 'reject'>;
    const done = new Promise<CompactionResult>((resolve, reject) => (settle = { resolve, reject }));
    this.compaction = { listLive, done, ...settle };
    this.kick();
    return done;
  }

  /** The error that stopped this writer, if any. */
  get failure(): JournalFatalError | undefined {
    return this.fatal;
  }

  /** Resolves once `record` is durably on disk; rejects with JournalFatalError if it cannot be. */
  append(record: JournalRecord): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) {
      return Promise.reject(new Error(`Journal ${this.path} is closed: append after close() is a daemon bug.`));
    }
    let line: string;
    try {
      line = serialize(record);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      this.kick();
    });
  }

  /** Waits for queued appends to reach the disk, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.flushing;
    this.closed = true;
    await this.flushing;
    if (!this.fatal) await this.handle.close();
  }

  private kick(): void {
    if (this.flushing) return; // the running flush picks the new append up in its next batch
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
      if ((this.queue.length > 0 || this.compaction) && !this.fatal) this.kick();
    });
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // appends made in the same tick join the first batch
    while ((this.queue.length > 0 || this.compaction) && !this.fatal) {
      if (this.compaction) {
        await this.runCompaction(this.compaction);
        continue;
      }
      const batch = this.queue.splice(0);
      const text = (this.needsNewline ? '\n' : '') + batch.map((p) => p.line).join('');
      try {
        const bytes = Buffer.from(text, 'utf8');
        await this.write(this.handle, bytes);
        this.bytes += bytes.length;
        this.needsNewline = false;
        await this.sync(this.handle);
      } catch (error) {
        this.fail(error, batch);
        return;
      }
      for (const pending of batch) pending.resolve();
    }
  }

  private async runCompaction(job: Compaction): Promise<void> {
    this.compaction = undefined;
    try {
      const result = await compactJournal(this.path, await job.listLive());
      // The old handle points at the replaced file; appends must go to the new one.
      const next = await open(this.path, 'a+', 0o600);
      await this.handle.close().catch(() => undefined);
      this.handle = next;
      this.bytes = (await next.stat()).size;
      this.needsNewline = false;
      job.resolve(result);
    } catch (error) {
      job.reject(this.fail(error, []));
    }
  }

  private fail(error: unknown, batch: Pending[]): JournalFatalError {
    const fatal = new JournalFatalError(this.path, errorCode(error), { cause: error });
    this.fatal = fatal;
    for (const pending of [...batch, ...this.queue.splice(0)]) pending.reject(fatal);
    this.handle.close().catch(() => undefined); // nothing more will be written through it
    return fatal;
  }
}

function serialize(record: JournalRecord): string {
  const parsed = JournalRecordSchema.safeParse(record);
  if (!parsed.success) {
    throw new Error(`Not a valid journal record (${parsed.error.issues[0]?.message ?? 'invalid'}): a daemon bug.`);
  }
  return `${JSON.stringify(parsed.data)}\n`;
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
    offset += bytesWritten;
  }
}

async function endsWithTornLine(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}
