/**
 * Confinement of note paths to a vault root: the rules of path-rules.ts on the path as written, then no
 * symlink that leads outside, and the same rules again on where the path really lands (so a link to
 * `Approved/` or `.mcp-state/` is no back door). Shared by every bundled server that takes a vault path.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolFailure } from './result.js';
import { pathRefusal, quotePath, refusalReason, type PathUse } from './path-rules.js';

/** The vault root from `VAULT_DIR`, else `./vault`, absolute. */
export function vaultRootFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.VAULT_DIR && env.VAULT_DIR.length > 0 ? env.VAULT_DIR : 'vault';
  return path.resolve(dir);
}

/** Vault-relative path with forward slashes, for results and messages. */
export function toVaultRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}

/**
 * Resolves `relative` inside `root` (a real path). Throws a `validation` ToolFailure naming the path when
 * a rule refuses it or it would escape. Symlinks are checked on the deepest part of the path that exists.
 */
export async function resolveInVault(root: string, relative: string, use: PathUse = 'note'): Promise<string> {
  if (typeof relative !== 'string') throw new ToolFailure('validation', 'path must be a string relative to the vault, e.g. "Notes/today.md"');
  const refusal = pathRefusal(use, relative);
  if (refusal !== undefined) throw new ToolFailure('validation', `path ${refusal}`);
  const realRoot = await realpath(root);
  const target = path.resolve(realRoot, ...relative.split(/[\\/]/));
  // Walk up to the deepest existing ancestor and make sure its real location is still inside the vault.
  let probe = target;
  for (;;) {
    try {
      const real = await realpath(probe);
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
        throw new ToolFailure('validation', `path ${quotePath(relative)} leads outside the vault through a symbolic link`);
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

/** Where `absolute` really lands: the deepest existing ancestor resolved through symlinks, plus the rest. */
export async function realLocation(absolute: string): Promise<string> {
  const rest: string[] = [];
  let probe = absolute;
  for (;;) {
    try {
      return path.join(await realpath(probe), ...rest.reverse());
    } catch {
      const parent = path.dirname(probe);
      if (parent === probe) return absolute;
      rest.push(path.basename(probe));
      probe = parent;
    }
  }
}

/**
 * `resolveInVault`, plus the rules for `use` applied to the real location. Returns the path as written
 * (absolute) and where it really lands.
 */
export async function resolveConfined(root: string, relative: string, use: PathUse): Promise<{ absolute: string; real: string }> {
  const absolute = await resolveInVault(root, relative, use);
  const real = await realLocation(absolute);
  if (real !== absolute) {
    const landing = toVaultRelative(root, real);
    const why = landing === '' ? undefined : refusalReason(use === 'move-target' ? 'write' : use, landing);
    if (why !== undefined) {
      throw new ToolFailure('validation', `path ${quotePath(relative)} leads through a symbolic link to ${quotePath(landing)}, which ${why}`);
    }
  }
  return { absolute, real };
}
