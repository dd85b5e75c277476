/**
 * The journal behind the one interface the daemon uses (SPEC §9): the single-instance lock, durable
 * appends, reading everything back at start, and compaction to the plans still alive. The embedded
 * single-host store is file-store.ts; a second store (PostgreSQL, for several hosts) implements the
 * same five calls without touching run/, execution/ or daemon/.
 */
import type { JournalRecord } from './records.js';
import type { JournalContents } from './read-journal.js';

export interface CompactionResult {
  readonly kept: number;
  readonly dropped: number;
}

export interface JournalStore {
  /** Takes the single-instance lock; throws AlreadyRunningError when another daemon holds it. */
  lock(): Promise<void>;
  /** Everything recorded so far. Call before the first append. */
  read(): Promise<JournalContents>;
  /** Resolves once `record` is durable; rejects with JournalFatalError when it cannot be (then for good). */
  append(record: JournalRecord): Promise<void>;
  /** Keeps only the records of the `live` claims (from each one's latest `claimed` record on). */
  compact(live: Iterable<string>): Promise<CompactionResult>;
  /** Waits for appends under way, then releases the lock. */
  close(): Promise<void>;
}
