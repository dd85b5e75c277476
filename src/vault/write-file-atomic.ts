import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { unlessMissing } from '../core/errno.js';
import { fsyncDir } from './fs.js';

/**
 * Replaces `file` with `data` so that readers (and a crash) see either the old or the new content, never
 * a mix: write a temporary sibling, fsync it, rename it over the target, fsync the directory. An existing
 * file's permission bits are kept; a new one gets `mode` (private state passes 0o600). A symlink at
 * `file` is replaced by a regular file, not followed.
 *
 * Hand-written rather than the `write-file-atomic` package: it names its temporary `plan.md.<hash>`,
 * which the vault watcher would see and which is longer than the name itself (a 251-byte plan name then
 * fails with ENAMETOOLONG), and it does not fsync the directory, so the rename itself could be lost on
 * power failure. Ours is `.orch-<random>.tmp`: short, a dotfile with a `.tmp` suffix, which
 * isPlanFileName and watchers ignore.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  mode = 0o666,
  unchangedSince?: FileVersion,
  /** The existing file's permission bits when the caller just read them (saves a stat). */
  knownMode?: number,
): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.orch-${randomBytes(6).toString('hex')}.tmp`);
  const existing = knownMode ?? (await existingMode(file));
  const handle = await open(temp, 'wx', existing ?? mode);
  let closed = false;
  try {
    // open() applies the umask; keep the old bits exactly, and a private file private.
    if (existing !== undefined || mode !== 0o666) await handle.chmod(existing ?? mode);
    await handle.writeFile(data);
    await handle.sync();
    closed = true;
    await handle.close();
    // Replacing the file must not undo a change someone made since it was read (a human's edit): look
    // again just before the rename, and let the caller read it anew if it changed.
    if (unchangedSince && !sameVersion(unchangedSince, await versionOf(file))) throw new FileChangedError(file);
    await rename(temp, file);
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dir);
}

/** What tells one state of a file from another: its inode, size and modification time. */
export interface FileVersion {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

export async function versionOf(file: string): Promise<FileVersion | undefined> {
  const found = await unlessMissing(stat(file), undefined);
  return found && { ino: found.ino, size: found.size, mtimeMs: found.mtimeMs };
}

/** The file's bytes read through one descriptor, with the version and permission bits they were read at. */
export interface VersionedRead {
  /** Undefined when the file is larger than the limit (then it is not read). */
  readonly bytes: Uint8Array | undefined;
  readonly version: FileVersion;
  readonly mode: number;
}

/** One open, one fstat, one read: what a rewrite needs to know about the file before it writes. */
export async function readVersioned(file: string, limitBytes: number): Promise<VersionedRead> {
  const handle = await open(file, 'r');
  try {
    const { ino, size, mtimeMs, mode } = await handle.stat();
    const version = { ino, size, mtimeMs };
    return { bytes: size > limitBytes ? undefined : await handle.readFile(), version, mode: mode & 0o7777 };
  } finally {
    await handle.close();
  }
}

function sameVersion(a: FileVersion, b: FileVersion | undefined): boolean {
  return b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** The file changed between its reading and its replacement: nothing was written. */
export class FileChangedError extends Error {
  override readonly name = 'FileChangedError';
  constructor(readonly file: string) {
    super(`${file} changed while it was being rewritten; nothing was written`);
  }
}

async function existingMode(file: string): Promise<number | undefined> {
  const found = await unlessMissing(stat(file), undefined);
  return found && found.mode & 0o7777;
}
