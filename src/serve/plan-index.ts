/**
 * The plans in the vault's plan folders, as the orchestrator's MCP server sees them: one summary per
 * file (plan-summary.ts), re-read only when a file's size or time changed, and the ids whose plan
 * changed since the last look. Only reads; never the daemon's private state (outside the vault).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMissing } from '../core/errno.js';
import { MAX_MARKDOWN_BYTES } from './bounds.js';
import { listPlanFiles } from '../vault/list-plan-files.js';
import { PLAN_FOLDERS, preferred, summarize, type PlanFolder, type PlanSummary } from './plan-summary.js';

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

  constructor(private readonly vault: string) {}

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
      do {
        this.again = false;
        for (const id of await this.pass()) changed.add(id);
      } while (this.again);
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

  private async pass(): Promise<Set<string>> {
    const next = new Map<string, Known>();
    const changed = new Set<string>();
    for (const folder of PLAN_FOLDERS) {
      const listing = await listPlanFiles(path.join(this.vault, folder)).catch((error: unknown) => {
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
        const summary = summarize({ folder, name: entry.name, mtimeMs: entry.mtimeMs, size: entry.size }, await this.read(folder, entry.name, entry.size));
        next.set(key, { stamp, summary });
        changed.add(summary.id);
        if (old) changed.add(old.summary.id);
      }
    }
    for (const [key, old] of this.files) if (!next.has(key)) changed.add(old.summary.id);
    this.files = next;
    const byId = new Map<string, PlanSummary>();
    for (const { summary } of next.values()) {
      const other = byId.get(summary.id);
      byId.set(summary.id, other ? preferred(other, summary) : summary);
    }
    this.byId = byId;
    return changed;
  }

  private async read(folder: PlanFolder, name: string, size: number): Promise<Uint8Array | undefined> {
    if (size > MAX_MARKDOWN_BYTES) return undefined;
    try {
      return await readFile(path.join(this.vault, folder, name));
    } catch {
      return undefined; // moved on meanwhile, or unreadable: the next pass sees where it went
    }
  }
}
