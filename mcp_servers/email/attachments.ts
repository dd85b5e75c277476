/** Loads attachments named by vault path, confined like every vault path and kept out of private state. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ToolFailure } from '../shared/result.js';
import { resolveInVault } from '../shared/vault-path.js';

export type AttachmentRef = string | { path: string; filename?: string | undefined };

const MAX_TOTAL_BYTES = 20 * 1024 * 1024;

export async function loadAttachments(
  root: string,
  stateDir: string,
  refs: readonly AttachmentRef[],
): Promise<{ filename: string; content: Buffer }[]> {
  const loaded: { filename: string; content: Buffer }[] = [];
  let total = 0;
  for (const ref of refs) {
    const relative = typeof ref === 'string' ? ref : ref.path;
    const absolute = await resolveInVault(root, relative);
    const inside = (dir: string) => absolute === dir || absolute.startsWith(dir + path.sep);
    if (inside(stateDir) || inside(path.join(root, '.mcp-state'))) {
      throw new ToolFailure('validation', `attachment "${relative}" is in the servers' private state folder`);
    }
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined) throw new ToolFailure('validation', `attachment "${relative}" does not exist in the vault`);
    if (!info.isFile()) throw new ToolFailure('validation', `attachment "${relative}" is not a file`);
    total += info.size;
    if (total > MAX_TOTAL_BYTES) {
      throw new ToolFailure('validation', `attachments exceed ${MAX_TOTAL_BYTES} bytes in total; send fewer or smaller files`);
    }
    const filename = (typeof ref === 'string' ? undefined : ref.filename) ?? path.basename(absolute);
    loaded.push({ filename, content: await readFile(absolute) });
  }
  return loaded;
}
