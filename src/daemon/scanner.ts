/**
 * Scans Approved/ and says which plan files are ready to claim and when to look again for the ones
 * still being written. Keeps the last observation of each file between scans.
 */
import { lstat } from 'node:fs/promises';
import { listPlanFiles, type PlanFileEntry } from '../vault/list-plan-files.js';
import { openWriters, type WriterState } from '../vault/open-writers.js';
import { changedSince, readiness, writtenInPlace, type FileObservation } from './readiness.js';

export interface ScanResult {
  readonly ready: readonly PlanFileEntry[];
  /** Symlinked plan files: refused, never followed. */
  readonly symlinks: readonly string[];
  /** Plan files whose names are not valid UTF-8: refused, as raw name bytes. */
  readonly badNames: readonly Buffer[];
  /** Milliseconds until the soonest still-settling file should be looked at again. */
  readonly recheckInMs?: number;
  /** Files still being written (not ready yet). */
  readonly settling: number;
  /** The names of every plan file found, ready or not. */
  readonly present: ReadonlySet<string>;
}

export class ApprovedScanner {
  private observations = new Map<string, FileObservation>();

  constructor(
    private readonly dir: string,
    private readonly stabilityMs: number,
    private readonly nowMs: () => number,
    /** Who still has files open for writing (vault/open-writers.ts); replaceable in tests. */
    private readonly writers: (files: readonly string[]) => Promise<ReadonlyMap<string, WriterState>> = openWriters,
  ) {}

  async scan(): Promise<ScanResult> {
    const listing = await listPlanFiles(this.dir);
    const now = this.nowMs();
    const next = new Map<string, FileObservation>();
    const ready: PlanFileEntry[] = [];
    let recheckInMs: number | undefined;
    // Only files written in place need to be asked about (one pass over the processes for all of them).
    const inPlace = listing.files.filter((entry) => writtenInPlace(entry)).map((entry) => entry.path);
    const writerOf = await this.writers(inPlace);
    for (const entry of listing.files) {
      let previous = this.observations.get(entry.name);
      let current: FileObservation = { size: entry.size, mtimeMs: entry.mtimeMs, ctimeMs: entry.ctimeMs };
      const writer = writerOf.get(entry.path) ?? 'unknown';
      if (writer === 'closed' && changedSince(previous, current)) {
        // The second look the rule asks for, taken now, after the look at the writers, rather than on a
        // rescan that would walk /proc again: a file written and renamed within one tick of the kernel's
        // clock (ctime = mtime) is claimed after one walk, not two.
        const again = await lstat(entry.path).catch(() => undefined);
        if (again?.isFile()) {
          previous = current;
          current = { size: again.size, mtimeMs: again.mtimeMs, ctimeMs: again.ctimeMs };
        }
      }
      const verdict = readiness(current, previous, now, this.stabilityMs, writer);
      if (verdict.kind === 'ready') {
        ready.push(entry);
      } else {
        next.set(entry.name, current);
        recheckInMs = Math.min(recheckInMs ?? Infinity, verdict.recheckInMs);
      }
    }
    // Only files still settling are remembered; a claimed file leaves Approved/ anyway.
    this.observations = next;
    return { ready, symlinks: listing.symlinks, badNames: listing.badNames, settling: next.size, present: new Set(listing.files.map((entry) => entry.name)), ...(recheckInMs !== undefined ? { recheckInMs } : {}) };
  }
}
