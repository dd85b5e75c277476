/**
 * Follows the vault's plan folders for the orchestrator's MCP server, with or without a daemon: the
 * kernel's notification on each folder (daemon/watch.ts) is a hint to look again, and a periodic
 * re-read catches what a hint missed (a sync client, a network drive). Each look re-reads only files
 * whose size or time changed (plan-index.ts) and tells `changes` which plans moved or changed.
 */
import path from 'node:path';
import { messageOf } from '../core/text.js';
import { watchFolder, type FolderWatcher } from '../daemon/watch.js';
import type { PlanChanges } from './plan-changes.js';
import type { PlanIndex } from './plan-index.js';
import { PLAN_FOLDERS } from './plan-summary.js';

export interface VaultFollowOptions {
  readonly vault: string;
  readonly index: PlanIndex;
  readonly changes: PlanChanges;
  /** The periodic re-read. */
  readonly intervalMs: number;
  readonly onError: (message: string) => void;
}

export interface VaultFollow {
  /** Looks now; resolves once the changes are told. */
  look(): Promise<void>;
  close(): Promise<void>;
}

/** Hints arrive in bursts (a rename is two events, a write several): one look per burst. */
const HINT_DELAY_MS = 30;

export async function followVault(options: VaultFollowOptions): Promise<VaultFollow> {
  const { index, changes } = options;
  let closed = false;
  let ids = new Set<string>();
  const look = async (): Promise<void> => {
    if (closed) return;
    try {
      const changed = await index.refresh();
      const now = new Set(index.all().map((plan) => plan.id));
      const listChanged = now.size !== ids.size || [...now].some((id) => !ids.has(id));
      ids = now;
      for (const id of changed) changes.emit({ kind: 'plan', id });
      if (listChanged) changes.emit({ kind: 'list' });
    } catch (error) {
      options.onError(`cannot read the vault's plan folders: ${messageOf(error)}`);
    }
  };
  let hinted: NodeJS.Timeout | undefined;
  const hint = (): void => {
    if (closed || hinted) return;
    hinted = setTimeout(() => {
      hinted = undefined;
      void look();
    }, HINT_DELAY_MS);
  };
  await look();
  const watchers: FolderWatcher[] = [];
  for (const folder of PLAN_FOLDERS) {
    watchers.push(await watchFolder(path.join(options.vault, folder), hint, (error) => options.onError(`watching ${folder}/: ${messageOf(error)}`)));
  }
  const interval = setInterval(() => void look(), options.intervalMs);
  interval.unref();
  return {
    look,
    async close() {
      closed = true;
      clearInterval(interval);
      if (hinted) clearTimeout(hinted);
      await Promise.all(watchers.map((watcher) => watcher.close()));
    },
  };
}
