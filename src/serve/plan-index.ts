/**
 * The plans in the vault's plan folders, as the orchestrator's MCP server sees them: one summary per
 * file (plan-summary.ts), re-read only when a file's size or time changed, and the ids whose plan
 * changed since the last look. Only reads; never the daemon's private state (outside the vault).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMissing } from '../core/errno.js';
import { MAX_MARKDOWN_BYTES } from './bounds.js';
import { listPlanFiles, type PlanFileListing } from '../vault/list-plan-files.js';
import { preferred, summarize, type PlanFolder, type PlanSummary } from './plan-summary.js';

/**
 * The folders in the order a plan travels through them. A pass lists them one after another, so a
 * plan the daemon claims or settles between two listings is seen in the later folder, never missed.
 */
const TRAVEL_ORDER: readonly PlanFolder[] = ['Pending_Approval', 'Approved', 'In_Progress', 'Done', 'Failed', 'Needs_Review', 'Rejected'];
/** A plan that vanished during a pass was deleted or moved backwards (a human): look again this often. */
const PASSES_FOR_A_VANISHED_PLAN = 3;

interface Known {
  readonly stamp: string;
  readonly summary: PlanSummary;
}

export class PlanIndex {
  /** By vault-relative path. */
  private files = new Map<string, Known>();
  private byId = new Map<string, PlanSummary>();
  private refreshing: Promise<Set<string>> | undefined;
  private again = false;

  /** `list` is the folder listing; tests pass one that moves a plan between two folders' listings. */
  constructor(
    private readonly vault: string,
    private readonly list: (dir: string) => Promise<Pick<PlanFileListing, 'files'>> = listPlanFiles,
  ) {}

  /**
   * Looks at every plan folder again; resolves with the ids whose plan appeared, changed, moved or went.
   * Calls made while one runs share one more pass after it, so a change is never missed.
   */
  refresh(): Promise<Set<string>> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      const changed = new Set<string>();
      let passes = 0;
      let lookAgain = false;
      do {
        this.again = false;
        const pass = await this.pass();
        // Not published while a vanished plan may just be on its way back: find() never says "no such plan" for it.
        lookAgain = pass.vanished && ++passes < PASSES_FOR_A_VANISHED_PLAN;
        if (lookAgain) continue;
        passes = 0;
        this.files = pass.files;
        this.byId = pass.byId;
        for (const id of pass.changed) changed.add(id);
      } while (this.again || lookAgain);
      return changed;
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** The plan with this id, where it is now (see `preferred` when several files share it). */
  find(id: string): PlanSummary | undefined {
    return this.byId.get(id);
  }

  /** Every plan file, newest first. */
  all(): PlanSummary[] {
    return [...this.files.values()].map((known) => known.summary).sort((a, b) => (a.modified < b.modified ? 1 : a.modified > b.modified ? -1 : 0));
  }

  /** The file names taken in any plan folder, lower-cased (submissions pick names free everywhere). */
  takenNames(): Set<string> {
    return new Set([...this.files.values()].map((known) => known.summary.name.toLowerCase()));
  }

  private async pass(): Promise<{ files: Map<string, Known>; byId: Map<string, PlanSummary>; changed: Set<string>; vanished: boolean }> {
    const next = new Map<string, Known>();
    const changed = new Set<string>();
    for (const folder of TRAVEL_ORDER) {
      const listing = await this.list(path.join(this.vault, folder)).catch((error: unknown) => {
        if (isMissing(error)) return { files: [] };
        throw error;
      });
      for (const entry of listing.files) {
        const key = `${folder}/${entry.name}`;
        const stamp = `${entry.mtimeMs}:${entry.size}`;
        const old = this.files.get(key);
        if (old?.stamp === stamp) {
          next.set(key, old);
          continue;
        }
        const bytes = await readPlanFile(path.join(this.vault, folder, entry.name), entry.size);
        if (bytes === 'gone') continue; // moved on since the listing: a later folder's listing has it
        const summary = summarize({ folder, name: entry.name, mtimeMs: entry.mtimeMs, size: entry.size }, bytes);
        next.set(key, { stamp, summary });
        changed.add(summary.id);
        if (old) changed.add(old.summary.id);
      }
    }
    for (const [key, old] of this.files) if (!next.has(key)) changed.add(old.summary.id);
    const byId = new Map<string, PlanSummary>();
    for (const { summary } of next.values()) {
      const other = byId.get(summary.id);
      byId.set(summary.id, other ? preferred(other, summary) : summary);
    }
    const vanished = [...this.byId.keys()].some((id) => !byId.has(id));
    return { files: next, byId, changed, vanished };
  }
}

/** A plan file's bytes; undefined when too large or unreadable (summarized by name); 'gone' once moved away. */
export async function readPlanFile(file: string, size: number): Promise<Buffer | undefined | 'gone'> {
  if (size > MAX_MARKDOWN_BYTES) return undefined;
  try {
    return await readFile(file);
  } catch (error) {
    return isMissing(error) ? 'gone' : undefined;
  }
}
