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
