/**
 * The journal file together with the daemon's own copy of everything in it. The copy is what makes
 * the journal survive its surroundings: when the file is deleted or replaced (a sync client, a clean-up
 * script), or a write or an fsync fails (a full disk), the whole journal is written back from memory
 * into a fresh file — a new inode, so pages an earlier failed fsync may have dropped do not matter —
 * and appending goes on there. Bounded: compaction keeps the file, and so the copy, small.
 */
import { mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { unlessMissing } from '../core/errno.js';
import { fsyncDir } from '../vault/fs.js';
import { writeFileAtomic } from '../vault/write-file-atomic.js';

/** What became of the file behind the daemon's back. */
export type FileIdentity = 'ok' | 'deleted' | 'replaced';

/** Which file a handle has open: while we hold it open its inode cannot be freed and reused. */
interface Inode {
  readonly dev: number;
  readonly ino: number;
}
const inodeOf = (info: Stats): Inode => ({ dev: info.dev, ino: info.ino });

export class HeldFile {
  private constructor(
    readonly path: string,
    private handle: FileHandle,
    /** The inode `handle` has open, looked up once. */
    private inode: Inode,
    /** The file's content as the daemon wrote it. */
    private content: Buffer[],
    private bytes: number,
  ) {}

  /** Opens (creating, mode 0600) the file and takes a copy of what it holds. */
  static async open(file: string): Promise<HeldFile> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const existing = await unlessMissing(readFile(file), Buffer.alloc(0));
    const handle = await open(file, 'a', 0o600);
    await fsyncDir(path.dirname(file)); // a newly created journal must survive power loss too
    return new HeldFile(file, handle, inodeOf(await handle.stat()), existing.length > 0 ? [existing] : [], existing.length);
  }

  get size(): number {
    return this.bytes;
  }

  /** The content ends inside a line (a crash cut the last append short). */
  get endsMidLine(): boolean {
    const last = this.content[this.content.length - 1];
    return last !== undefined && last.length > 0 && last[last.length - 1] !== 0x0a;
  }

  /** Everything held. */
  held(): Buffer {
    return Buffer.concat(this.content);
  }

  /**
   * Is the file at `path` still the one we write to? One stat of the path against the inode we hold
   * open: the same inode found at the path is linked (so not deleted), and an inode we hold open is
   * never reused for another file.
   */
  async identity(): Promise<FileIdentity> {
    const onDisk = await stat(this.path).catch(() => undefined);
    if (onDisk === undefined) return 'deleted';
    return onDisk.ino !== this.inode.ino || onDisk.dev !== this.inode.dev ? 'replaced' : 'ok';
  }

  /** Appends through the open file: written, then made durable by `sync`. */
  async append(bytes: Buffer, write: (h: FileHandle, b: Buffer) => Promise<void>, sync: (h: FileHandle) => Promise<void>): Promise<void> {
    await write(this.handle, bytes);
    await sync(this.handle);
    this.content.push(bytes);
    this.bytes += bytes.length;
  }

  /**
   * Writes `content` (default: everything held) as the whole file, atomically and durably, into a fresh
   * inode, and appends there from now on. Used to write the journal back and to compact it.
   */
  async replaceWith(content: Buffer = this.held()): Promise<void> {
    await mkdir(path.dirname(this.path), { recursive: true, mode: 0o700 });
    // A temporary file written and fsynced, renamed over the path, the folder fsynced; 0600 whatever the old bits.
    await writeFileAtomic(this.path, content, 0o600, undefined, 0o600);
    const next = await open(this.path, 'a', 0o600);
    const inode = inodeOf(await next.stat());
    await this.handle.close().catch(() => undefined);
    this.handle = next;
    this.inode = inode;
    this.content = content.length > 0 ? [content] : [];
    this.bytes = content.length;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
