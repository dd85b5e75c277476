/**
 * Watches Approved/ only (the rest of the vault costs nothing) and turns every event into a hint to
 * rescan; the scan decides what to claim, so duplicate, spurious or missed events never change the result.
 *
 * The kernel's own notification (fs.watch: inotify, FSEvents, ReadDirectoryChangesW) on the one folder
 * is the hint. Not chokidar by default: for each burst of events chokidar re-reads the whole folder and
 * lstat()s every entry, and puts a watcher on each file, so with a thousand plans dropped at once it spent
 * more time re-reading Approved/ than the daemon spent running plans (bench/, docs/PERFORMANCE.md). A hint
 * needs none of that. chokidar (polling) remains the fallback where fs.watch is unavailable (some network
 * and FUSE filesystems, an exhausted inotify limit); the periodic scan covers any event either one misses.
 */
import { watch as chokidarWatch, type FSWatcher as ChokidarWatcher } from 'chokidar';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface FolderWatcher {
  close(): Promise<void>;
}

/** Dotfiles (our own atomic-write temporaries, editor swap files) never hold a plan. */
const isHidden = (name: string): boolean => name.startsWith('.');

export async function watchFolder(dir: string, onHint: () => void, onError: (error: unknown) => void): Promise<FolderWatcher> {
  let native: FSWatcher;
  try {
    native = watch(dir, (_event, name) => {
      if (name === null || !isHidden(String(name))) onHint();
    });
  } catch (error) {
    onError(new Error(`fs.watch is unavailable on ${dir} (${String(error)}); polling with chokidar instead`));
    return pollingWatch(dir, onHint, onError);
  }
  let fallback: FolderWatcher | undefined;
  let closed = false;
  native.on('error', (error) => {
    // The native watch is dead (the folder was replaced, the filesystem went away): keep watching by polling.
    native.close();
    onError(error);
    if (closed) return;
    void pollingWatch(dir, onHint, onError).then((watcher) => {
      if (closed) void watcher.close();
      else fallback = watcher;
    }, onError);
  });
  return {
    async close() {
      closed = true;
      native.close();
      await fallback?.close();
    },
  };
}

async function pollingWatch(dir: string, onHint: () => void, onError: (error: unknown) => void): Promise<FolderWatcher> {
  const watcher: ChokidarWatcher = chokidarWatch(dir, {
    depth: 0,
    ignoreInitial: true,
    usePolling: true,
    interval: 250,
    // Stability is decided by the scan (readiness.ts), far sooner than chokidar's 2 s polling wait.
    awaitWriteFinish: false,
    ignored: (file) => file !== dir && isHidden(path.basename(file)),
  });
  watcher.on('all', () => onHint());
  watcher.on('error', onError);
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return { close: () => watcher.close() };
}
