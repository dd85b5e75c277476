import { randomBytes } from 'node:crypto';
import { link, lstat, open, readFile, rm } from 'node:fs/promises';
import { errorCode } from '../core/errno.js';

/** What was found at a lock path. `raw` identifies this exact lock instance (it holds a random token). */
export interface ExistingLock {
  readonly raw: string;
  readonly mtimeMs: number;
}

/** link() errors meaning "this filesystem has no hard links" (FAT, exFAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Creates `path` holding `content` only if nothing is there; false when something is. The content is
 * written and fsynced under a temporary name and then hard-linked into place (link fails on EEXIST), so
 * no other process ever sees a half-written lock, nor does a reboot leave an empty one. Without hard
 * links we fall back to an exclusive create, whose brief empty window readers tolerate (see vault-lock).
 */
export async function createExclusive(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code ?? '')) throw error;
    return createExclusiveWithoutLink(path, content);
  } finally {
    await rm(temp, { force: true });
  }
}

async function createExclusiveWithoutLink(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** The lock at `path`, or undefined when there is none (it may vanish while we look). */
export async function readExisting(path: string): Promise<ExistingLock | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(path, 'utf8'), lstat(path)]);
    return { raw, mtimeMs: info.mtimeMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
