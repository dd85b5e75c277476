/** How many plans wait in the vault right now: Approved/ (waiting) and In_Progress/ (deferred among them). */
import { unlessMissing } from '../core/errno.js';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { splitFrontMatter } from '../plan/front-matter.js';
import { listPlanFiles } from '../vault/list-plan-files.js';
import type { QueueDepth } from './types.js';

/** Front matter sits at the top; a plan's first 64 KiB are plenty and bound the cost of a huge file. */
const HEAD_BYTES = 64 * 1024;

export async function readQueueDepth(vault: string): Promise<QueueDepth> {
  const waiting = await planFiles(path.join(vault, 'Approved'));
  const inProgress = await planFiles(path.join(vault, 'In_Progress'));
  let deferred = 0;
  for (const file of inProgress) if ((await statusOf(file)) === 'deferred') deferred += 1;
  return { waiting: waiting.length, inProgress: inProgress.length, deferred };
}

async function planFiles(dir: string): Promise<string[]> {
  return (await unlessMissing(listPlanFiles(dir), { files: [] })).files.map((file) => file.path);
}

/** The plan's front-matter `status`, if it can be read. A file that vanished (just finished) has none. */
async function statusOf(file: string): Promise<string | undefined> {
  let head: string;
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  const parsed = splitFrontMatter(head);
  const status = parsed.ok ? parsed.value.data['status'] : undefined;
  return typeof status === 'string' ? status : undefined;
}
