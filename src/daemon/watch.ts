/**
 * Watches Approved/ only (the rest of the vault costs nothing) and turns every event into a hint to
 * rescan; the scan decides what to claim, so duplicate, spurious or missed events never change the result.
 */
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';

export interface FolderWatcher {
  close(): Promise<void>;
}

export async function watchFolder(dir: string, onHint: () => void, onError: (error: unknown) => void): Promise<FolderWatcher> {
  const watcher: FSWatcher = watch(dir, {
    depth: 0,
    ignoreInitial: true,
    // Stability is decided by the scan (readiness.ts), far sooner than chokidar's 2 s polling wait.
    awaitWriteFinish: false,
    ignored: (file) => file !== dir && path.basename(file).startsWith('.'),
  });
  watcher.on('all', () => onHint());
  watcher.on('error', onError);
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return { close: () => watcher.close() };
}
