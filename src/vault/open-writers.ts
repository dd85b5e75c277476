/**
 * Is some process still writing a file? On Linux, by looking at every process's open descriptors in
 * /proc: a descriptor open on the file for writing (O_WRONLY or O_RDWR in its fdinfo flags) means its
 * writer has not closed it, so the file may be incomplete whatever its timestamps say. Processes whose
 * descriptors cannot be looked at (other users', when not root) make the answer `unknown`, as does any
 * other system: the caller then also waits for the file to stay unchanged.
 *
 * Hand-written: no package reads /proc for this without a native addon (inotify's IN_CLOSE_WRITE, which
 * would say the same, is not exposed by Node's fs.watch).
 */
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { errorCode } from '../core/errno.js';

export type WriterState = 'open' | 'closed' | 'unknown';

/** Processes looked at concurrently. */
const PIDS_AT_ONCE = 16;

/** For each of `files`, whether a process has it open for writing. One pass over /proc for all of them. */
export async function openWriters(files: readonly string[], platform: NodeJS.Platform = process.platform): Promise<Map<string, WriterState>> {
  const states = new Map<string, WriterState>(files.map((file) => [file, 'unknown']));
  if (platform !== 'linux' || files.length === 0) return states;
  const byTarget = new Map<string, string>();
  for (const file of files) byTarget.set(await realpath(file).catch(() => file), file);
  let hidden = false;
  const open = new Set<string>();
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  // Many processes at once, each with all its descriptors at once: the look is a few thousand
  // tiny /proc reads, and one after another they cost tens of milliseconds of pickup.
  const lookAt = async (pid: string): Promise<void> => {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch (error) {
      if (errorCode(error) === 'EACCES') hidden = true; // another user's process
      return; // or it exited meanwhile
    }
    await Promise.all(
      fds.map(async (fd) => {
        const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => undefined);
        const file = target === undefined ? undefined : byTarget.get(target);
        if (file === undefined || open.has(file)) return;
        if (await writable(`/proc/${pid}/fdinfo/${fd}`)) open.add(file);
      }),
    );
  };
  for (let i = 0; i < pids.length; i += PIDS_AT_ONCE) await Promise.all(pids.slice(i, i + PIDS_AT_ONCE).map(lookAt));
  for (const file of files) states.set(file, open.has(file) ? 'open' : hidden ? 'unknown' : 'closed');
  return states;
}

/** The descriptor's access mode (the low two bits of `flags:`, in octal) allows writing. */
async function writable(fdinfo: string): Promise<boolean> {
  const text = await readFile(fdinfo, 'utf8').catch(() => '');
  const flags = /^flags:\s*([0-7]+)/m.exec(text)?.[1];
  return flags !== undefined && (parseInt(flags, 8) & 3) !== 0;
}
