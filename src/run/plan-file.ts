/**
 * The plan file as the run layer sees it. Updates are applied against what is on disk at the moment
 * of writing, never against a copy in memory: a human's edits to a running plan are kept, and the
 * daemon changes only its own front-matter fields, ticks and the Execution Log. A file that is gone
 * (moved or deleted by a human) is never recreated. Updates made while a write is under way are
 * merged into the next one, one atomic rewrite at a time.
 */
import { readFile, stat } from 'node:fs/promises';
import { isMissing } from '../core/errno.js';
import { applyPlanUpdate, type PlanFileUpdate } from '../plan/render.js';
import { locateStep, type StepLocation } from '../plan/ticks.js';
import { FileChangedError, readVersioned, writeFileAtomic, type FileVersion, type VersionedRead } from '../vault/write-file-atomic.js';

export interface PlanFileStore {
  /** Size in bytes, so a huge file is refused before it is read. */
  size(): Promise<number>;
  read(): Promise<Uint8Array>;
  /** Bytes (undefined above `limitBytes`), version and mode from one open: what a rewrite reads. */
  readVersioned(limitBytes: number): Promise<VersionedRead>;
  /**
   * Replaces the file; throws FileChangedError when it is no longer `readAs` (then nothing was written).
   * `mode`: the permission bits seen when it was read, kept on the new file.
   */
  write(text: string, readAs?: FileVersion, mode?: number): Promise<void>;
}

export function diskPlanFile(file: string): PlanFileStore {
  return {
    size: async () => (await stat(file)).size,
    read: () => readFile(file),
    readVersioned: (limitBytes) => readVersioned(file, limitBytes),
    write: (text, readAs, mode) => writeFileAtomic(file, text, 0o666, readAs, mode),
  };
}

/** What the run asks to change; ticks are found by the step's text in the file as it is now. */
export interface PlanChange extends Omit<PlanFileUpdate, 'tickLines'> {
  readonly ticks?: readonly StepLocation[];
}

/** The plan file is no longer where the run left it (moved or deleted): nothing was written. */
class PlanFileGoneError extends Error {
  override readonly name = 'PlanFileGoneError';
}

/** A file that keeps changing under us this often makes the write fail (it is tried again later), not spin. */
const MAX_REREADS = 20;

/** Largest file the daemon still writes its status into; a larger one is refused unread anyway. */
const ANNOTATE_LIMIT_BYTES = 64 * 1024 * 1024;
// ignoreBOM keeps a leading BOM in the text, so it is written back as it was.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class PlanFileWriter {
  private pending: PlanChange[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly store: PlanFileStore) {}

  /** Resolves once the file holds `change` (or a later text that includes it). */
  update(change: PlanChange): Promise<void> {
    this.pending.push(change);
    this.flushing ??= this.writeUntilCurrent().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeUntilCurrent(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      for (let attempt = 1; ; attempt += 1) {
        // Content, version and mode from one open (the version the write checks against before its rename).
        const read = await this.readText();
        // Bytes that are not text (binary, not UTF-8, too large to read) are left exactly as they came.
        if (read === undefined) break;
        const { text, version, mode } = read;
        const next = batch.reduce((current, change) => applyChange(current, change), text);
        if (next === text) break;
        try {
          await this.store.write(next, version, mode);
          break;
        } catch (error) {
          // Someone changed the file meanwhile: apply the same changes to what it says now.
          if (!(error instanceof FileChangedError) || attempt >= MAX_REREADS) throw error;
        }
      }
    }
  }

  private async readText(): Promise<{ text: string; version: FileVersion; mode: number } | undefined> {
    try {
      const { bytes, version, mode } = await this.store.readVersioned(ANNOTATE_LIMIT_BYTES);
      if (bytes === undefined) return undefined;
      return { text: STRICT_UTF8.decode(bytes), version, mode };
    } catch (error) {
      if (isMissing(error)) throw new PlanFileGoneError('the plan file was moved or deleted while the daemon worked on it', { cause: error });
      if (error instanceof TypeError) return undefined; // not UTF-8
      throw error;
    }
  }
}

function applyChange(text: string, change: PlanChange): string {
  const { ticks, ...update } = change;
  const tickLines = (ticks ?? []).map((step) => locateStep(text, step)).filter((line): line is number => line !== undefined);
  return applyPlanUpdate(text, { ...update, tickLines });
}
