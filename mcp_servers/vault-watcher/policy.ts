/**
 * Which vault paths each kind of tool may touch. Reads may see everything except the servers' private
 * state; writes and moves stay out of the lifecycle folders (so no plan can approve another) and out of
 * hidden folders such as `.obsidian/` and `.mcp-state/`. Both the path as written and its real location
 * (after symlinks inside the vault) are checked, so a link to `Approved/` cannot be used as a back door.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolFailure } from '../shared/result.js';
import { refuseLifecycle, resolveInVault } from '../shared/vault-path.js';

export const STATE_FOLDER = '.mcp-state';
/** The orchestrator's status page at the vault root: only the daemon writes it. */
export const DASHBOARD_NOTE = 'Dashboard.md';

/** Vault-relative path with forward slashes, for results. */
export function toVaultRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}

/** Where `absolute` really lands: the deepest existing ancestor resolved through symlinks, plus the rest. */
async function realLocation(absolute: string): Promise<string> {
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

function segments(root: string, absolute: string): string[] {
  return path.relative(root, absolute).split(path.sep).filter((s) => s !== '');
}

function isPrivate(root: string, absolute: string, stateDir: string | undefined): boolean {
  const first = segments(root, absolute)[0]?.toLowerCase();
  if (first === STATE_FOLDER) return true;
  return stateDir !== undefined && (absolute === stateDir || absolute.startsWith(stateDir + path.sep));
}

export interface VaultPolicy {
  /** A path a read, list or search may use. */
  readable(relative: string): Promise<string>;
  /** A path a write or either end of a move may use. */
  writable(relative: string): Promise<string>;
}

/**
 * `root` must already be a real path (no symlinks). `stateDir`, when given, is another private folder
 * (the email server's `MCP_STATE_DIR`) that reads must not expose.
 */
export function vaultPolicy(root: string, stateDir?: string): VaultPolicy {
  return {
    async readable(relative) {
      const absolute = await resolveInVault(root, relative);
      const real = await realLocation(absolute);
      if (isPrivate(root, absolute, stateDir) || isPrivate(root, real, stateDir)) {
        throw new ToolFailure('validation', `path "${relative}" is in the servers' private state folder and cannot be read`);
      }
      return absolute;
    },
    async writable(relative) {
      const absolute = await resolveInVault(root, relative);
      const real = await realLocation(absolute);
      if (absolute === root || real === root) {
        throw new ToolFailure('validation', `path "${relative}" is the vault itself; name a note inside it`);
      }
      for (const candidate of [absolute, real]) {
        refuseLifecycle(root, candidate, relative);
        const parts = segments(root, candidate);
        if (parts.length === 1 && parts[0]?.toLowerCase() === DASHBOARD_NOTE.toLowerCase()) {
          throw new ToolFailure('validation', `"${DASHBOARD_NOTE}" is written by the orchestrator only; write your note elsewhere`);
        }
        const hidden = parts.find((s) => s.startsWith('.'));
        if (hidden !== undefined) {
          throw new ToolFailure('validation', `path "${relative}" touches the hidden entry "${hidden}", which tools may not change`);
        }
      }
      return absolute;
    },
  };
}
