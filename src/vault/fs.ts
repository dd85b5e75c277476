/** Two small filesystem facts every layer above needs: a folder's entries made durable, and whether an entry is there. */
import { lstat, open } from 'node:fs/promises';
import { errorCode, unlessMissing } from '../core/errno.js';

/** Error codes of filesystems or platforms that cannot fsync a directory: nothing more we can do there. */
const UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR']);

/**
 * Flushes a directory's entries to disk, so a rename or a new file survives power loss. POSIX only makes a
 * rename durable once the directory itself is fsynced. Windows cannot open a directory for this: no-op there.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!UNSUPPORTED.has(errorCode(error) ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

/** Whether `path` names an entry (a symlink counts, unfollowed); errors other than ENOENT are thrown. */
export async function exists(path: string): Promise<boolean> {
  return (await unlessMissing(lstat(path), undefined)) !== undefined;
}
