/**
 * Loads attachments named by vault path, confined like every vault path (shared/vault-path.ts: no escape,
 * no hidden or private entry, also after symlinks) and kept out of the servers' state folder.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { quotePath } from '../shared/path-rules.js';
import { ToolFailure } from '../shared/result.js';
import { resolveConfined } from '../shared/vault-path.js';

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
    const { absolute, real } = await resolveConfined(root, relative, 'note');
    const inState = (candidate: string) => candidate === stateDir || candidate.startsWith(stateDir + path.sep);
    if (inState(absolute) || inState(real)) {
      throw new ToolFailure('validation', `attachment ${quotePath(relative)} is in the servers' private state folder`);
    }
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined) throw new ToolFailure('validation', `attachment ${quotePath(relative)} does not exist in the vault`);
    if (!info.isFile()) throw new ToolFailure('validation', `attachment ${quotePath(relative)} is not a file`);
    total += info.size;
    if (total > MAX_TOTAL_BYTES) {
      throw new ToolFailure('validation', `attachments exceed ${MAX_TOTAL_BYTES} bytes in total; send fewer or smaller files`);
    }
    const filename = (typeof ref === 'string' ? undefined : ref.filename) ?? path.basename(absolute);
    loaded.push({ filename, content: await readFile(absolute) });
  }
  return loaded;
}
