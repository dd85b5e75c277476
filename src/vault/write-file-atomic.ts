import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '../core/errno.js';
import { fsyncDir } from './fsync-dir.js';

/**
 * Replaces `file` with `data` so that readers (and a crash) see either the old or the new content, never
 * a mix: write a temporary sibling, fsync it, rename it over the target, fsync the directory. An existing
 * file's permission bits are kept. A symlink at `file` is replaced by a regular file, not followed.
 *
 * Hand-written rather than the `write-file-atomic` package (not a dependency): it names its temporary
 * `plan.md.<hash>`, which the vault watcher would see, and does not fsync the directory, so the rename
 * itself could be lost on power failure. Ours is `.plan.md.<random>.tmp`: a dotfile with a `.tmp`
 * suffix, which isPlanFileName and watchers ignore.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = await existingMode(file);
  const handle = await open(temp, 'wx', mode ?? 0o666);
  let closed = false;
  try {
    if (mode !== undefined) await handle.chmod(mode); // open() applies the umask; keep the old bits exactly
    await handle.writeFile(data);
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(temp, file);
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dir);
}

async function existingMode(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o7777;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
