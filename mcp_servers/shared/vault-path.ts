/**
 * Confinement of note paths to a vault root: no absolute paths, no `..`, no NUL, and no symlink that
 * leads outside. Shared by every bundled server that takes a vault path.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolFailure } from './result.js';

/** Folders that only the orchestrator moves plans through; no tool may write into or out of them. */
export const LIFECYCLE_FOLDERS = ['Approved', 'In_Progress', 'Done', 'Failed', 'Needs_Review'] as const;

/** The vault root from `VAULT_DIR`, else `./vault`, absolute. */
export function vaultRootFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.VAULT_DIR && env.VAULT_DIR.length > 0 ? env.VAULT_DIR : 'vault';
  return path.resolve(dir);
}

/**
 * Resolves `relative` inside `root`. Throws a `validation` ToolFailure naming the path when it would
 * escape. Symlinks are checked on the deepest part of the path that exists.
 */
export async function resolveInVault(root: string, relative: string): Promise<string> {
  if (typeof relative !== 'string' || relative.trim() === '') {
    throw new ToolFailure('validation', 'path is empty; give a path relative to the vault, e.g. "Notes/today.md"');
  }
  if (relative.includes('\0')) throw new ToolFailure('validation', `path ${JSON.stringify(relative)} contains a NUL byte`);
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative)) {
    throw new ToolFailure('validation', `path "${relative}" is absolute; give a path relative to the vault`);
  }
  const parts = relative.split(/[\\/]+/);
  if (parts.includes('..')) {
    throw new ToolFailure('validation', `path "${relative}" contains ".."; paths must stay inside the vault`);
  }
  const realRoot = await realpath(root);
  const target = path.resolve(realRoot, ...parts);
  // Walk up to the deepest existing ancestor and make sure its real location is still inside the vault.
  let probe = target;
  for (;;) {
    try {
      const real = await realpath(probe);
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
        throw new ToolFailure('validation', `path "${relative}" leads outside the vault through a symbolic link`);
      }
      break;
    } catch (error) {
      if (error instanceof ToolFailure) throw error;
      const parent = path.dirname(probe);
      if (parent === probe) break;
      probe = parent;
    }
  }
  return target;
}

/** The first folder of a vault-relative path, e.g. "Approved" for "Approved/x.md". */
export function topFolder(root: string, absolute: string): string {
  const rel = path.relative(root, absolute);
  return rel.split(path.sep)[0] ?? '';
}

/** Throws a `validation` ToolFailure when `absolute` lies in a lifecycle folder. */
export function refuseLifecycle(root: string, absolute: string, relative: string): void {
  const top = topFolder(root, absolute).toLowerCase();
  if (LIFECYCLE_FOLDERS.some((f) => f.toLowerCase() === top)) {
    throw new ToolFailure(
      'validation',
      `path "${relative}" is in the lifecycle folder "${topFolder(root, absolute)}/", which only the orchestrator may change`,
    );
  }
}
