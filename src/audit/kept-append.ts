/**
 * Appends to a file by path through a descriptor kept open between appends, for a log that is not
 * rotated by size (the vault's day files). The path is looked at again (a `stat`, its inode against the
 * descriptor's) at most once a second: when a human or another process moved or deleted the file, later
 * lines go to the file at the path again, as an append by path would; the lines of the second before
 * went to the moved file.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { errorCode } from '../core/errno.js';

const RECHECK_MS = 1_000;

export class KeptAppendFile {
  private handle: FileHandle | undefined;
  private inode = -1;
  private checkedAtMs = -Infinity;

  constructor(readonly file: string) {}

  async append(data: string | Buffer, atMs: number): Promise<void> {
    try {
      if (!this.handle || atMs - this.checkedAtMs >= RECHECK_MS) await this.recheck(atMs);
      await (this.handle as FileHandle).appendFile(data);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    this.checkedAtMs = -Infinity;
    await h?.close().catch(() => undefined);
  }

  private async recheck(atMs: number): Promise<void> {
    this.checkedAtMs = atMs;
    if (this.handle) {
      try {
        if ((await stat(this.file)).ino === this.inode) return;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
      await this.close();
      this.checkedAtMs = atMs;
    }
    const h = await open(this.file, 'a');
    try {
      this.inode = (await h.stat()).ino;
    } catch (error) {
      await h.close().catch(() => undefined);
      throw error;
    }
    this.handle = h;
  }
}
