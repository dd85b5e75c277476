/**
 * The folder moves of a plan's lifecycle (SPEC §4), each one atomic rename with its directories
 * fsynced: a claim (Approved/ → In_Progress/) and a finalize (In_Progress/ → Done/ | Failed/ |
 * Needs_Review/). The journal records around them are the run's business: the claim's record follows
 * its rename, the end's record precedes the final move, so a restart always knows where a plan is.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { isMissing } from '../core/errno.js';
import type { FinalFolder } from '../vault/folders.js';
import { moveNoClobber } from '../vault/move-no-clobber.js';

export function inProgressPath(vault: string, claim: string): string {
  return path.join(vault, 'In_Progress', claim);
}

/** Moves a plan file from Approved/ into In_Progress/; its claim name, or undefined when it vanished first. */
export async function moveIntoInProgress(vault: string, approvedFile: string): Promise<string | undefined> {
  try {
    return path.basename(await moveNoClobber(approvedFile, path.join(vault, 'In_Progress')));
  } catch (error) {
    // Gone because a human moved it away: nothing to claim. Gone because In_Progress/ is missing: an error.
    if (isMissing(error) && !(await lstat(approvedFile).then(() => true, () => false))) return undefined;
    throw error;
  }
}

/** Moves a claimed plan into its final folder; returns the vault-relative destination. */
export async function moveToFinal(vault: string, claim: string, folder: FinalFolder): Promise<string> {
  const dest = await moveNoClobber(inProgressPath(vault, claim), path.join(vault, folder));
  return path.relative(vault, dest);
}
