import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode } from '../core/errno.js';
import { messageOf } from '../core/text.js';
import { compacted } from './compact.js';
import { JournalFatalError } from './errors.js';
import { HeldFile, type FileIdentity } from './held-file.js';
import { parseJournal } from './read-journal.js';
import { JournalRecordSchema, type JournalRecord } from './records.js';
import type { CompactionResult } from './store.js';

/** Seams for tests: count or fail the flushes. Defaults are the real file operations. */
export interface JournalHooks {
  /** Makes written bytes durable. Default `handle.datasync()` (an append's size change is included). */
  readonly sync?: (handle: FileHandle) => Promise<void>;
  /** Writes bytes at the end of the file. */
  readonly write?: (handle: FileHandle, bytes: Buffer) => Promise<void>;
}

/** Something outside the daemon disturbed the journal; `restored` once it is whole and durable again. */
export type JournalTrouble =
  | { readonly kind: 'deleted' | 'replaced' }
  | { readonly kind: 'write_failed'; readonly code: string | undefined; readonly message: string }
  | { readonly kind: 'restored'; readonly after: 'deleted' | 'replaced' | 'write_failed' };

interface WriterOptions {
  readonly hooks?: JournalHooks;
  readonly onTrouble?: (trouble: JournalTrouble) => void;
}

interface Pending {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Compaction {
  readonly listLive: () => Promise<Iterable<string>>;
  readonly done: Promise<CompactionResult>;
  readonly resolve: (result: CompactionResult) => void;
  readonly reject: (error: Error) => void;
}

/** Waits between two tries to write the journal back: 50 ms doubling, at most 2 s. */
const backoff = (attempt: number): number => Math.min(2_000, 50 * 2 ** attempt);

/**
 * The daemon's append-only journal. `append` resolves only once its record is on disk (written and
 * fsynced). Group commit: while one write+fsync is in flight, new appends queue up and all go out in the
 * next single write+fsync, so many concurrent plans cost one fsync per batch, not one each.
 *
 * Trouble never loses a record and never stops the daemon: before each batch the file is checked to
 * still be ours, and a file deleted or replaced behind our back, or a write or fsync that failed (a full
 * disk), is answered by writing the whole journal back from the daemon's copy (held-file.ts) into a
 * fresh file, retried until it works. An fsync is never retried on the same file: after a failed fsync
 * the kernel may have dropped the dirty pages while marking them clean (the 2018 "fsyncgate" finding),
 * so only a rewrite into a new inode is honest. Meanwhile appends wait — no call whose intent is not on
 * disk is sent — and `onTrouble` raises the alarm.
 */
export class JournalWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closing = false;
  private checkAsked = false;
  /** A compaction asked for; the drain loop runs it between batches, so no append races it. */
  private compaction: Compaction | undefined;

  private constructor(
    private readonly file: HeldFile,
    private readonly sync: (handle: FileHandle) => Promise<void>,
    private readonly write: (handle: FileHandle, bytes: Buffer) => Promise<void>,
    private readonly onTrouble: (trouble: JournalTrouble) => void,
  ) {}

  /** Opens (creating if needed, mode 0600) the journal at `path` for appending. */
  static async open(path: string, options: WriterOptions = {}): Promise<JournalWriter> {
    const file = await HeldFile.open(path);
    return new JournalWriter(file, options.hooks?.sync ?? ((h) => h.datasync()), options.hooks?.write ?? writeAll, options.onTrouble ?? (() => undefined));
  }

  get path(): string {
    return this.file.path;
  }

  /** Size of the journal file in bytes. */
  get size(): number {
    return this.file.size;
  }

  /** Resolves once `record` is durably on disk. */
  append(record: JournalRecord): Promise<void> {
    if (this.closing) return Promise.reject(new Error(`Journal ${this.path} is closed: append after close() is a daemon bug.`));
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

  /** Looks at once whether the file is still ours (a watcher saw it change). */
  check(): void {
    this.checkAsked = true;
    this.kick();
  }

  /**
   * Rewrites the journal keeping only the records of the claims `listLive` names, while the daemon runs.
   * It runs between two batches, so every record already written is either kept or belongs to a claim
   * that is over, and appends made meanwhile wait and go to the new file.
   */
  compactLive(listLive: () => Promise<Iterable<string>>): Promise<CompactionResult> {
    if (this.closing) return Promise.reject(new Error(`Journal ${this.path} is closed: compaction after close() is a daemon bug.`));
    if (this.compaction) return this.compaction.done;
    let settle!: Pick<Compaction, 'resolve' | 'reject'>;
    const done = new Promise<CompactionResult>((resolve, reject) => (settle = { resolve, reject }));
    this.compaction = { listLive, done, ...settle };
    this.kick();
    return done;
  }

  /**
   * Waits for queued appends to reach the disk, then closes the file. Idempotent. If the journal cannot
   * be written at that moment, the appends still waiting are rejected (their calls were never sent).
   */
  async close(): Promise<void> {
    this.closing = true;
    await this.flushing;
    for (const pending of this.queue.splice(0)) pending.reject(new JournalFatalError(this.path, 'closed'));
    await this.file.close();
  }

  private kick(): void {
    if (this.flushing) return; // the running flush picks the new append up in its next batch
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0 || this.compaction || this.checkAsked) this.kick();
    });
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // appends made in the same tick join the first batch
    while (this.queue.length > 0 || this.compaction || this.checkAsked) {
      if (this.compaction) {
        await this.runCompaction(this.compaction);
        continue;
      }
      this.checkAsked = false;
      const batch = this.queue.splice(0);
      if (batch.length === 0) {
        const identity = await this.identity();
        if (identity !== 'ok') {
          this.onTrouble({ kind: identity });
          if (!(await this.writeBack(identity))) return;
        }
        continue;
      }
      const bytes = Buffer.from((this.file.endsMidLine ? '\n' : '') + batch.map((p) => p.line).join(''), 'utf8');
      // The look at the file runs alongside the write, not before it: one file-system round trip less
      // per batch. If the file turns out deleted or replaced, the batch went to the old inode, and the
      // write-back (everything held, this batch included) puts it in the new file before anyone hears
      // that the batch is durable.
      const [identity, failure] = await Promise.all([
        this.identity(),
        this.file.append(bytes, this.write, this.sync).then(
          () => undefined,
          (error: unknown) => ({ error }),
        ),
      ]);
      if (failure !== undefined) {
        const { error } = failure;
        this.onTrouble({ kind: 'write_failed', code: errorCode(error), message: messageOf(error) });
        if (!(await this.writeBack('write_failed', bytes))) {
          for (const pending of batch) pending.reject(new JournalFatalError(this.path, errorCode(error), { cause: error }));
          return;
        }
      } else if (identity !== 'ok') {
        this.onTrouble({ kind: identity });
        if (!(await this.writeBack(identity))) {
          for (const pending of batch) pending.reject(new JournalFatalError(this.path, 'closed'));
          return;
        }
      }
      for (const pending of batch) pending.resolve();
    }
  }

  /** Writes everything held (and `extra`) back as the whole file, until it works; false when closing first. */
  private async writeBack(after: 'deleted' | 'replaced' | 'write_failed', extra?: Buffer): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.file.replaceWith(extra ? Buffer.concat([this.file.held(), extra]) : undefined);
        this.onTrouble({ kind: 'restored', after });
        return true;
      } catch (error) {
        if (this.closing) return false;
        if (attempt === 0) this.onTrouble({ kind: 'write_failed', code: errorCode(error), message: messageOf(error) });
        await sleep(backoff(attempt));
      }
    }
  }

  private identity(): Promise<FileIdentity> {
    return this.file.identity().catch((): FileIdentity => 'deleted');
  }

  private async runCompaction(job: Compaction): Promise<void> {
    this.compaction = undefined;
    try {
      const { text, result } = compacted(parseJournal(this.file.held().toString('utf8')), await job.listLive());
      await this.file.replaceWith(Buffer.from(text, 'utf8'));
      job.resolve(result);
    } catch (error) {
      // The journal is as it was: nothing lost; the next growth asks again.
      job.reject(error instanceof Error ? error : new Error(String(error)));
    }
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
