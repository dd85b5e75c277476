/**
 * Where `submit_plan` puts a plan: `Pending_Approval/<safe name>.md`, whatever name was asked for. The
 * name is reduced to one plain file name (folders, `..`, dots in front and odd characters dropped),
 * made unique across the vault's plan folders (so the daemon's later moves need no suffix and the
 * plan keeps its id), and the file is published without ever replacing another one.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { errorCode } from '../core/errno.js';
import { fsyncDir } from '../vault/fs.js';
import { suffixedName } from '../vault/move-no-clobber.js';

/** Stem length kept: with a suffix and `.md` the name stays far below any filesystem's limit. */
const MAX_STEM_CHARS = 120;
const MAX_SUFFIX = 1_000;

/**
 * One plain `*.md` file name from what the caller asked for (or `fallback`): the last path part,
 * letters, digits, space, `_`, `-` and inner dots only, never a dotfile. Pure.
 */
export function safePlanFileName(requested: string | undefined, fallback: string): string {
  return `${stemOf(requested ?? '') || stemOf(fallback) || 'plan'}.md`;
}

function stemOf(text: string): string {
  const last = text.split(/[\\/]/).pop() ?? '';
  const stem = last
    .normalize('NFC')
    .replace(/\.md$/i, '')
    .replace(/[^\p{L}\p{N} _.-]+/gu, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[\s.\-_]+|[\s.\-]+$/g, '');
  return Array.from(stem).slice(0, MAX_STEM_CHARS).join('').trim();
}

/**
 * Writes `bytes` as a new file in `dir` named `name`, or `name (2).md`… when that name is taken in
 * `dir` or is in `taken` (names in the other plan folders, lower-cased). Returns the file's path.
 *
 * The file appears whole: it is written under a hidden temporary name (which watchers and the daemon
 * ignore), then hard-linked to its name, which fails on an existing file, so nothing is ever
 * overwritten, not even by a race with a human or another `serve`. Where hard links are not supported
 * (FAT, some network drives) it is created with O_EXCL instead.
 */
export async function createUnique(dir: string, name: string, bytes: Uint8Array, taken: ReadonlySet<string>): Promise<string> {
  const temp = path.join(dir, `.${randomBytes(6).toString('hex')}.submit.tmp`);
  await writeSynced(temp, bytes);
  try {
    for (let attempt = 1; attempt <= MAX_SUFFIX; attempt++) {
      const candidate = suffixedName(name, attempt);
      if (taken.has(candidate.toLowerCase())) continue;
      const target = path.join(dir, candidate);
      try {
        await link(temp, target);
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EEXIST') continue;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
        if (!(await createExclusive(target, bytes))) continue;
      }
      await fsyncDir(dir);
      return target;
    }
  } finally {
    await rm(temp, { force: true });
  }
  throw new Error(`names ${name} up to ${suffixedName(name, MAX_SUFFIX)} are all taken: pick another name`);
}

async function writeSynced(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** False when the name is taken. */
async function createExclusive(file: string, bytes: Uint8Array): Promise<boolean> {
  try {
    await writeSynced(file, bytes);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}
