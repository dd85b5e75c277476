import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The folders the daemon moves plans through (SPEC §4 lifecycle). */
export const LIFECYCLE_FOLDERS = ['Approved', 'In_Progress', 'Done', 'Failed', 'Needs_Review'] as const;
export type LifecycleFolder = (typeof LIFECYCLE_FOLDERS)[number];

/** Final resting places of a plan. */
export const FINAL_FOLDERS = ['Done', 'Failed', 'Needs_Review'] as const;
export type FinalFolder = (typeof FINAL_FOLDERS)[number];

/** Every folder of the vault skeleton: the lifecycle ones plus the conventional ones the daemon leaves alone. */
export const VAULT_FOLDERS = [
  ...LIFECYCLE_FOLDERS,
  'Inbox',
  'Needs_Action',
  'Plans',
  'Pending_Approval',
  'Rejected',
  'Logs',
  'Outbox',
] as const;
export type VaultFolder = (typeof VAULT_FOLDERS)[number];

/** Creates every missing vault folder (and the vault itself). Existing folders and files are left untouched. */
export async function ensureVaultFolders(vault: string): Promise<void> {
  for (const folder of VAULT_FOLDERS) {
    await mkdir(join(vault, folder), { recursive: true });
  }
}

/**
 * Does this directory entry name count as a plan file (SPEC §4)? Only `*.md`. Ignored: dotfiles (which
 * covers `.#x.md` Emacs locks, `.~lock.x.md#` LibreOffice locks, `.x.md.swp` Vim swaps and our own
 * `.x.tmp` temporaries), `~`-prefixed owner files (`~$x.md`), `#`-prefixed auto-saves, and anything not
 * ending in `.md` (`x.md~`, `x.md.tmp`, `x.md.swp`). Pure.
 */
export function isPlanFileName(name: string): boolean {
  if (/[/\\\0]/.test(name)) return false; // not a bare entry name
  if (/^[.~#]/.test(name)) return false;
  return name.length > 3 && name.toLowerCase().endsWith('.md');
}
