/**
 * An append-only log file that rotates itself (by size and/or by day) and prunes old rotations.
 *
 * Why no line is lost or duplicated: batches are written one at a time (batch-writable.ts); each batch
 * is appended by path (open with O_APPEND, write, close), and rotation is a single rename of the live
 * file between two appends. A line therefore lands in exactly one file: the one that held the live name
 * when it was appended. Appending by path, rather than through a long-lived descriptor, also means
 * that when another process (a `run` next to the daemon, or logrotate) renames the file, the next batch
 * goes to the new live file instead of into the renamed one.
 */
import { appendFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { LogRotationConfig } from '../config/schema.js';
import { errorCode } from '../core/errno.js';
import { exists } from '../vault/fs.js';
import { batchWritable, type BatchWritable } from './batch-writable.js';
import { filesToPrune, localDay, mustRotate, rotatedFilesOf, rotatedName, type LiveFileState } from './rotation.js';

export interface RotatingFileOptions {
  readonly policy: LogRotationConfig;
  readonly now: () => Date;
  readonly onError: (error: Error) => void;
}

/** A clash on a millisecond stamp needs a suffix; this many clashes means something else is wrong. */
const MAX_SEQ = 1_000;

export function createRotatingFile(file: string, options: RotatingFileOptions): BatchWritable {
  const { policy, now } = options;
  const dir = path.dirname(file);
  const liveName = path.basename(file);
  // Day of the last write we know of; seeded from the file's mtime so a restart the next day rotates.
  let lastDay: string | undefined;

  const liveState = async (): Promise<LiveFileState> => {
    try {
      const info = await stat(file);
      lastDay ??= localDay(info.mtime);
      return { size: info.size, lastDay };
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      return { size: 0, lastDay };
    }
  };

  const prune = async (nowMs: number): Promise<void> => {
    const doomed = filesToPrune(rotatedFilesOf(liveName, await readdir(dir)), policy, nowMs);
    for (const old of doomed) await unlink(path.join(dir, old.name)).catch(ignoreMissing);
  };

  const rotate = async (): Promise<void> => {
    const at = now();
    for (let seq = 0; seq < MAX_SEQ; seq++) {
      const target = path.join(dir, rotatedName(liveName, at, seq));
      if (await exists(target)) continue;
      try {
        await rename(file, target);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error; // another process rotated it first: fine
      }
      await prune(at.getTime());
      return;
    }
    throw new Error(`cannot rotate ${file}: rotated names up to .${MAX_SEQ} are taken; clean up ${dir}`);
  };

  // Winston writes each line (eol included) as one chunk, so a chunk is never split across files.
  const writeBatch = async (lines: Buffer[]): Promise<void> => {
    const day = localDay(now());
    let pending = lines;
    let live = await liveState();
    while (pending.length > 0) {
      if (mustRotate(live, (pending[0] as Buffer).length, day, policy)) {
        await rotate();
        live = { size: 0, lastDay: day };
      }
      // As many lines as fit under maxBytes; always at least one, so an oversized line still gets written.
      let size = live.size;
      let count = 0;
      for (const line of pending) {
        if (count > 0 && policy.maxBytes > 0 && size + line.length > policy.maxBytes) break;
        size += line.length;
        count += 1;
      }
      await appendFile(file, Buffer.concat(pending.slice(0, count)));
      lastDay = day;
      live = { size, lastDay: day };
      pending = pending.slice(count);
    }
  };

  return batchWritable<Buffer>(writeBatch, options.onError, { objectMode: false });
}


function ignoreMissing(error: unknown): void {
  if (errorCode(error) !== 'ENOENT') throw error;
}
