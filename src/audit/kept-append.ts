/**
 * Appends to a file by path through a descriptor kept open between appends (an open/stat/close per
 * batch was most of the audit's cost per step). The path is looked at again (a `stat`, its inode against
 * the descriptor's) at most once a second, or when the caller asks: when a human or another process
 * (a `run` next to the daemon, logrotate) moved or deleted the file, later lines go to the file at the
 * path again, as an append by path would; the lines of the second before went to the moved file.
 */
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errorCode, isMissing, unlessMissing } from '../core/errno.js';

const RECHECK_MS = 1_000;

/** What a look at the path found: the live file's size and mtime, and whether it was opened just now. */
export interface LiveFile {
  readonly size: number;
  readonly mtime: Date;
  readonly opened: boolean;
}

export class KeptAppendFile {
  private handle: FileHandle | undefined;
  private inode = -1;
  private checkedAtMs = -Infinity;

  constructor(readonly file: string) {}

  /** Appends all of `data`, looking at the path first when due (never twice for one `atMs`). */
  async append(data: string | Buffer, atMs: number): Promise<void> {
    try {
      await this.lookWhenDue(atMs);
      await (this.handle as FileHandle).appendFile(data);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /**
   * Makes the descriptor the live file again when a second has passed, nothing is open, or `force`:
   * then says what the path holds (another process may append too); undefined when the descriptor was trusted.
   * On a failure the caller closes the file (append does).
   */
  async lookWhenDue(atMs: number, force = false): Promise<LiveFile | undefined> {
    if (this.handle && !force && atMs - this.checkedAtMs < RECHECK_MS) return undefined;
    if (this.handle) {
      const info = await unlessMissing(stat(this.file), undefined);
      if (info?.ino === this.inode) {
        this.checkedAtMs = atMs;
        return { size: info.size, mtime: info.mtime, opened: false };
      }
      await this.close();
    }
    const h = await open(this.file, 'a').catch(async (error: unknown) => {
      if (!isMissing(error)) throw error;
      // A human deleted the folder itself: make it again (only it, so a vault whose drive is gone
      // is not recreated on another disk) rather than lose every line until a restart.
      await mkdir(path.dirname(this.file)).catch((made: unknown) => {
        if (errorCode(made) !== 'EEXIST') throw made;
      });
      return open(this.file, 'a');
    });
    try {
      const info = await h.stat();
      this.inode = info.ino;
      this.handle = h;
      this.checkedAtMs = atMs;
      return { size: info.size, mtime: info.mtime, opened: true };
    } catch (error) {
      await h.close().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    this.checkedAtMs = -Infinity;
    await h?.close().catch(() => undefined);
  }
}
