/**
 * Test helper: a small two-way sync client between two vault folders, as Syncthing or Dropbox would be
 * (SPEC §12's "a synced copy per host"). Each round compares both sides with what it last synced: a
 * change on one side (a new file, an edit, a deletion — a move is a deletion and a creation) is copied
 * to the other; a file changed on both sides keeps side A's version and gets the other one as a
 * conflict copy (`name.sync-conflict.md`) on both sides. Writes are atomic (a dotfile, then a rename).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../../src/run/identify.js';

export interface SyncClient {
  /** Conflict copies made so far (vault-relative names). */
  readonly conflicts: string[];
  /** One round, now. */
  round(): Promise<void>;
  stop(): Promise<void>;
}

export function startSyncClient(a: string, b: string, folders: readonly string[], everyMs = 100): SyncClient {
  const base = new Map<string, string>();
  const conflicts: string[] = [];
  const read = (root: string, rel: string) => readFile(path.join(root, rel)).catch(() => undefined);
  const hash = (bytes: Buffer | undefined) => (bytes === undefined ? undefined : sha256(bytes));
  const put = async (root: string, rel: string, bytes: Buffer | undefined) => {
    const file = path.join(root, rel);
    if (bytes === undefined) return rm(file, { force: true });
    await mkdir(path.dirname(file), { recursive: true });
    const temp = path.join(path.dirname(file), `.sync-${path.basename(file)}`);
    await writeFile(temp, bytes);
    await rename(temp, file);
  };
  const names = async (root: string, folder: string) =>
    (await readdir(path.join(root, folder)).catch(() => [] as string[])).filter((name) => name.endsWith('.md') && !name.startsWith('.')).map((name) => path.join(folder, name));
  let running: Promise<void> = Promise.resolve();
  const round = () =>
    (running = running.then(async () => {
      for (const folder of folders) {
        for (const rel of new Set([...(await names(a, folder)), ...(await names(b, folder))])) {
          const [bytesA, bytesB] = [await read(a, rel), await read(b, rel)];
          const [hashA, hashB, was] = [hash(bytesA), hash(bytesB), base.get(rel)];
          // What both sides hold after this round (a write landing meanwhile is seen as a change next round).
          let synced = hashA;
          if (hashA === hashB) synced = hashA;
          else if (hashB === was) await put(b, rel, bytesA);
          else if (hashA === was) {
            await put(a, rel, bytesB);
            synced = hashB;
          } else {
            const copy = rel.replace(/\.md$/, '.sync-conflict.md');
            conflicts.push(copy);
            await Promise.all([put(a, copy, bytesB), put(b, copy, bytesB), put(b, rel, bytesA)]);
          }
          if (synced === undefined) base.delete(rel);
          else base.set(rel, synced);
        }
      }
    }));
  const timer = setInterval(() => void round().catch(() => undefined), everyMs);
  return {
    conflicts,
    round,
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
