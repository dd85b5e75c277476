/**
 * An append-only log file that rotates itself (by size and/or by day) and prunes old rotations.
 *
 * Why no line is lost or duplicated: batches are written one at a time (batch-writable.ts), each with
 * O_APPEND through one descriptor kept open, and rotation is a single rename of the live file between
 * two appends. A line therefore lands in exactly one file: the inode it was appended to.
 *
 * The descriptor is kept (kept-append.ts), so the size is counted, and the path is looked at again only
 * when rotation may be due or at most once a second. When another process (a `run` next to the daemon,
 * or logrotate) renamed the file, that look finds a new inode or none, and the next batch goes to the
 * new live file; the lines of the second before it went to the renamed file, which is kept like any other.
 */
import { readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { LogRotationConfig } from '../config/schema.js';
import { unlessMissing } from '../core/errno.js';
import { localDay } from '../core/text.js';
import { exists } from '../vault/fs.js';
import { batchWritable, type BatchWritable } from './batch-writable.js';
import { KeptAppendFile } from './kept-append.js';
import { filesToPrune, mustRotate, rotatedFilesOf, rotatedName } from './rotation.js';

interface RotatingFileOptions {
  readonly policy: LogRotationConfig;
  readonly now: () => Date;
  readonly onError: (error: Error) => void;
  /** Passed to batchWritable: how long lines are collected into one append. */
  readonly windowMs?: number;
}

/** A clash on a millisecond stamp needs a suffix; this many clashes means something else is wrong. */
const MAX_SEQ = 1_000;

export function createRotatingFile(file: string, options: RotatingFileOptions): BatchWritable {
  const { policy, now } = options;
  const dir = path.dirname(file);
  const liveName = path.basename(file);
  const live = new KeptAppendFile(file);
  // Day of the last write we know of; seeded from the file's mtime so a restart the next day rotates.
  let lastDay: string | undefined;
  let size = 0;

  /** Looks at the path when due (or `force`) and takes the size it holds; true when it looked. */
  const look = async (atMs: number, force = false): Promise<boolean> => {
    const found = await live.lookWhenDue(atMs, force);
    if (!found) return false;
    if (found.opened) lastDay ??= found.size > 0 ? localDay(found.mtime) : undefined;
    size = found.size;
    return true;
  };

  const prune = async (nowMs: number): Promise<void> => {
    const doomed = filesToPrune(rotatedFilesOf(liveName, await readdir(dir)), policy, nowMs);
    for (const old of doomed) await unlessMissing(unlink(path.join(dir, old.name)), undefined);
  };

  const rotate = async (): Promise<void> => {
    const at = now();
    await live.close();
    for (let seq = 0; seq < MAX_SEQ; seq++) {
      const target = path.join(dir, rotatedName(liveName, at, seq));
      if (await exists(target)) continue;
      await unlessMissing(rename(file, target), undefined); // another process rotated it first: fine
      await prune(at.getTime());
      return;
    }
    throw new Error(`cannot rotate ${file}: rotated names up to .${MAX_SEQ} are taken; clean up ${dir}`);
  };

  // Winston writes each line (eol included) as one chunk, so a chunk is never split across files.
  const writeBatch = async (lines: Buffer[], dayWritten: string | undefined): Promise<void> => {
    const atMs = now().getTime();
    const day = dayWritten ?? localDay(new Date(atMs));
    let fresh = await look(atMs);
    let pending = lines;
    while (pending.length > 0) {
      if (mustRotate({ size, lastDay }, (pending[0] as Buffer).length, day, policy)) {
        // The count may be stale (another process rotated or appended): look before renaming anything.
        if (!fresh) {
          fresh = await look(atMs, true);
          continue;
        }
        await rotate();
        await look(atMs, true);
        lastDay = day;
      }
      // As many lines as fit under maxBytes; always at least one, so an oversized line still gets written.
      let next = size;
      let count = 0;
      for (const line of pending) {
        if (count > 0 && policy.maxBytes > 0 && next + line.length > policy.maxBytes) break;
        next += line.length;
        count += 1;
      }
      await live.append(Buffer.concat(pending.slice(0, count)), atMs);
      lastDay = day;
      size = next;
      pending = pending.slice(count);
    }
  };

  const guarded = async (lines: Buffer[], day: string | undefined): Promise<void> => {
    try {
      await writeBatch(lines, day);
    } catch (error) {
      // Whatever failed, the next batch starts from the path again.
      await live.close();
      throw error;
    }
  };

  return batchWritable<Buffer>(guarded, options.onError, {
    objectMode: false,
    final: () => live.close(),
    windowMs: options.windowMs ?? 0,
    keyOf: () => localDay(now()),
  });
}
