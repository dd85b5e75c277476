/**
 * Which vault paths each kind of tool may touch. Every path obeys path-rules.ts (no escape, no hidden or
 * private entries); writes and moves also stay out of the lifecycle folders (so no plan can approve
 * another) and off Dashboard.md. Both the path as written and its real location (after symlinks inside
 * the vault) are checked, so a link to `Approved/` cannot be used as a back door.
 */
import path from 'node:path';
import { ToolFailure } from '../shared/result.js';
import { quotePath } from '../shared/path-rules.js';
import { resolveConfined } from '../shared/vault-path.js';

export { toVaultRelative } from '../shared/vault-path.js';

function inside(dir: string, absolute: string): boolean {
  return absolute === dir || absolute.startsWith(dir + path.sep);
}

export interface VaultPolicy {
  /** A path a read (`note`) or a list or search (`folder`) may use. */
  readable(relative: string, use: 'note' | 'folder'): Promise<string>;
  /** A path a write or the source of a move may use. */
  writable(relative: string): Promise<string>;
}

/**
 * `root` must already be a real path (no symlinks). `stateDir`, when given, is another private folder
 * (the servers' `MCP_STATE_DIR` somewhere inside the vault) that no tool may touch either.
 */
export function vaultPolicy(root: string, stateDir?: string): VaultPolicy {
  const refusePrivate = (relative: string, ...candidates: string[]): void => {
    if (stateDir !== undefined && candidates.some((candidate) => inside(stateDir, candidate))) {
      throw new ToolFailure('validation', `path ${quotePath(relative)} is in the servers' private state folder (MCP_STATE_DIR) and cannot be used`);
    }
  };
  return {
    async readable(relative, use) {
      const { absolute, real } = await resolveConfined(root, relative, use);
      refusePrivate(relative, absolute, real);
      return absolute;
    },
    async writable(relative) {
      const { absolute, real } = await resolveConfined(root, relative, 'write');
      if (absolute === root || real === root) {
        throw new ToolFailure('validation', `path ${quotePath(relative)} is the vault itself; name a note inside it`);
      }
      refusePrivate(relative, absolute, real);
      return absolute;
    },
  };
}
