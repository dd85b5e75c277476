/**
 * Scans Approved/ and says which plan files are ready to claim and when to look again for the ones
 * still being written. Keeps the last observation of each file between scans.
 */
import { listPlanFiles, type PlanFileEntry } from '../vault/list-plan-files.js';
import { readiness, type FileObservation } from './readiness.js';

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
}

export class ApprovedScanner {
  private observations = new Map<string, FileObservation>();

  constructor(
    private readonly dir: string,
    private readonly stabilityMs: number,
    private readonly nowMs: () => number,
  ) {}

  async scan(): Promise<ScanResult> {
    const listing = await listPlanFiles(this.dir);
    const now = this.nowMs();
    const next = new Map<string, FileObservation>();
    const ready: PlanFileEntry[] = [];
    let recheckInMs: number | undefined;
    for (const entry of listing.files) {
      const current = { size: entry.size, mtimeMs: entry.mtimeMs };
      const verdict = readiness(current, this.observations.get(entry.name), now, this.stabilityMs);
      if (verdict.kind === 'ready') {
        ready.push(entry);
      } else {
        next.set(entry.name, current);
        recheckInMs = Math.min(recheckInMs ?? Infinity, verdict.recheckInMs);
      }
    }
    // Only files still settling are remembered; a claimed file leaves Approved/ anyway.
    this.observations = next;
    return { ready, symlinks: listing.symlinks, badNames: listing.badNames, settling: next.size, ...(recheckInMs !== undefined ? { recheckInMs } : {}) };
  }
}
