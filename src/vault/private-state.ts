/**
 * Makes a vault's private state directory ready (SPEC §4): mode 0700, its files 0600, and the state an
 * earlier version kept inside the vault (`<vault>/.orchestrator/`) moved over once, so an upgrade keeps
 * its journal — a deferred plan or an unknown outcome survives it.
 */
import { chmod, copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { errorCode } from '../core/errno.js';

/** Where versions before the private state directory kept it. */
export const LEGACY_STATE_DIR = '.orchestrator';
const LEGACY_FILES = ['journal.jsonl', 'rate-limits.jsonl'];

export async function preparePrivateState(vault: string, state: string): Promise<void> {
  await mkdir(state, { recursive: true, mode: 0o700 });
  await chmod(state, 0o700);
  const legacy = path.join(vault, LEGACY_STATE_DIR);
  const present = await readdir(legacy).catch(() => [] as string[]);
  for (const name of LEGACY_FILES.filter((file) => present.includes(file))) {
    const target = path.join(state, name);
    if ((await readdir(state)).includes(name)) continue; // already moved; the newer one wins
    await moveFile(path.join(legacy, name), target);
    await chmod(target, 0o600);
  }
}

/** A rename, or a copy and delete when the state is on another filesystem than the vault. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if (errorCode(error) !== 'EXDEV') throw error;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}
