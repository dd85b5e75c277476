/**
 * The embedded single-host journal store: one append-only JSON-lines file (journal-writer.ts does the
 * durable group-committed appends) and the vault lock beside it. It also keeps itself small: once the
 * file has grown past `maxBytes` (and doubled since the last compaction, so a vault with many live plans
 * is not rewritten after every append), it is rewritten to the live claims between two batches.
 */
import { compactJournal } from './compact.js';
import { JournalWriter, type JournalHooks } from './journal-writer.js';
import { readJournal, type JournalContents } from './read-journal.js';
import type { JournalRecord } from './records.js';
import type { CompactionResult, JournalStore } from './store.js';

export interface FileStoreOptions {
  readonly path: string;
  /** The single-instance lock: taken by `lock()`, released by `close()`. */
  readonly acquireLock: () => Promise<{ release(): Promise<void> }>;
  /** Past this size the file is compacted while the daemon runs. */
  readonly maxBytes: number;
  /** The claims whose records must be kept, asked at the moment of a compaction. */
  readonly live: () => Promise<Iterable<string>>;
  readonly hooks?: JournalHooks;
  /** A compaction while running failed: the writer has stopped for good (JournalFatalError). */
  readonly onFatal?: (error: unknown) => void;
}

export class FileJournalStore implements JournalStore {
  private held: { release(): Promise<void> } | undefined;
  private writer: Promise<JournalWriter> | undefined;
  private compacting = false;
  private sizeAfterCompaction = 0;

  constructor(private readonly options: FileStoreOptions) {}

  async lock(): Promise<void> {
    this.held ??= await this.options.acquireLock();
  }

  read(): Promise<JournalContents> {
    return readJournal(this.options.path);
  }

  async append(record: JournalRecord): Promise<void> {
    const writer = await this.open();
    await writer.append(record);
    if (!this.compacting && writer.size > this.options.maxBytes && writer.size > 2 * this.sizeAfterCompaction) {
      this.compacting = true;
      void writer
        .compactLive(this.options.live)
        .then(
          () => (this.sizeAfterCompaction = writer.size),
          (error: unknown) => this.options.onFatal?.(error),
        )
        .finally(() => (this.compacting = false));
    }
  }

  async compact(live: Iterable<string>): Promise<CompactionResult> {
    const result = this.writer
      ? await (await this.writer).compactLive(async () => live)
      : await compactJournal(this.options.path, live);
    this.sizeAfterCompaction = this.writer ? (await this.writer).size : 0;
    return result;
  }

  async close(): Promise<void> {
    await (await this.writer?.catch(() => undefined))?.close().catch(() => undefined);
    await this.held?.release().catch(() => undefined);
    this.held = undefined;
  }

  private open(): Promise<JournalWriter> {
    this.writer ??= JournalWriter.open(this.options.path, this.options.hooks ? { hooks: this.options.hooks } : {});
    return this.writer;
  }
}
