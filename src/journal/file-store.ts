/**
 * The embedded single-host journal store: one append-only JSON-lines file in the vault's private state
 * (journal-writer.ts does the durable group-committed appends and writes the file back when it is
 * disturbed), and the instance lock. It watches the file, so a deletion or replacement is noticed at
 * once even when nothing is being appended (and checked twice a second besides, where watching is not
 * possible). Compaction is asked for by the daemon, which knows what is live.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { compactJournal } from './compact.js';
import { JournalWriter, type JournalHooks, type JournalTrouble } from './journal-writer.js';
import { readJournal, type JournalContents } from './read-journal.js';
import type { JournalRecord } from './records.js';
import type { CompactionResult, JournalStore } from './store.js';

interface FileStoreOptions {
  readonly path: string;
  /** The single-instance lock: taken by `lock()`, released by `close()`. */
  readonly acquireLock: () => Promise<{ release(): Promise<void> }>;
  readonly hooks?: JournalHooks;
  /** The journal was disturbed (deleted, replaced, a failed write) or is whole again. */
  readonly onTrouble?: (trouble: JournalTrouble, path: string) => void;
}

const CHECK_EVERY_MS = 500;

export class FileJournalStore implements JournalStore {
  private held: { release(): Promise<void> } | undefined;
  private writer: Promise<JournalWriter> | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FileStoreOptions) {}

  async lock(): Promise<void> {
    this.held ??= await this.options.acquireLock();
  }

  read(): Promise<JournalContents> {
    return readJournal(this.options.path);
  }

  async append(record: JournalRecord): Promise<void> {
    await (await this.open()).append(record);
  }

  async compact(live: Iterable<string>): Promise<CompactionResult> {
    if (!this.writer) return compactJournal(this.options.path, live);
    return (await this.writer).compactLive(async () => live);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.watcher?.close();
    await (await this.writer?.catch(() => undefined))?.close().catch(() => undefined);
    await this.held?.release().catch(() => undefined);
    this.held = undefined;
  }

  private open(): Promise<JournalWriter> {
    this.writer ??= JournalWriter.open(this.options.path, {
      ...(this.options.hooks ? { hooks: this.options.hooks } : {}),
      onTrouble: (trouble) => this.options.onTrouble?.(trouble, this.options.path),
    }).then((writer) => {
      this.watch(writer);
      return writer;
    });
    return this.writer;
  }

  private watch(writer: JournalWriter): void {
    const name = path.basename(this.options.path);
    try {
      this.watcher = watch(path.dirname(this.options.path), (_event, changed) => {
        if (changed === null || String(changed) === name) writer.check();
      });
      this.watcher.on('error', () => writer.check()); // the folder itself went away
    } catch {
      // No watching here (an exhausted inotify limit): the timer below still notices.
    }
    this.timer = setInterval(() => writer.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }
}
