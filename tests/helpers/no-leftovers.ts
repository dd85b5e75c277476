/**
 * Vitest global setup: no test leaves a process running (issue 11, "No leftovers").
 *
 * Every process this run started must be gone when it ends. The run tags its environment, which the
 * daemons and fixtures the tests spawn inherit; the servers a daemon starts get only a safe environment,
 * so a process is this run's when it or its nearest tagged ancestor carries this run's tag, or, with no
 * tagged ancestor left (an orphan), when it started during the run from this checkout or in one of the
 * run's workspaces (a server with a safe environment, in a session of its own). Anything still
 * alive after a short grace is listed, killed (so a red run does not leave them either) and fails the run.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GRACE_MS = 5_000;

const TAG = 'ORCH_TEST_RUN';

interface Proc {
  pid: number;
  ppid: number;
  startTicks: number;
  cmdline: string;
  /** The value of TAG in its environment; undefined when absent or not readable. */
  tag: string | undefined;
  /** Its working directory; '' when not readable. */
  cwd: string;
}

/** Fields of /proc/PID/stat after the command name (which may hold spaces): ppid is [1], starttime [19]. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function tagOf(pid: string): string | undefined {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((line) => line.startsWith(`${TAG}=`));
    return entry?.slice(TAG.length + 1);
  } catch {
    return undefined;
  }
}

function cwdOf(pid: string): string {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return '';
  }
}

function processes(): Proc[] {
  const found: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      // Zombies have an empty command line and are their parent's to reap.
      if (cmdline !== '') found.push({ pid: Number(entry), ppid: Number(fields[1]), startTicks: Number(fields[19]), cmdline, tag: tagOf(entry), cwd: cwdOf(entry) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The tag of `proc` or of its nearest tagged ancestor; undefined when none is left. */
function runOf(proc: Proc, byPid: ReadonlyMap<number, Proc>): string | undefined {
  for (let at: Proc | undefined = proc; at !== undefined; at = byPid.get(at.ppid)) {
    if (at.tag !== undefined) return at.tag;
    if (at.ppid <= 1) return undefined;
  }
  return undefined;
}

export default function setup(): () => Promise<void> {
  if (process.platform !== 'linux') return async () => undefined;
  const run = `${process.pid}-${Date.now()}`;
  process.env[TAG] = run;
  const before = new Set(processes().map((proc) => `${proc.pid}:${proc.startTicks}`));
  const leftovers = (): Proc[] => {
    const all = processes();
    const byPid = new Map(all.map((proc) => [proc.pid, proc]));
    return all.filter((proc) => {
      if (before.has(`${proc.pid}:${proc.startTicks}`) || proc.pid === process.pid) return false;
      // vitest's own workers end with the run
      if (proc.cmdline.includes('node_modules/vitest')) return false;
      const owner = runOf(proc, byPid);
      // A workspace is named after the run that made it (workspace.ts).
      return owner === undefined ? proc.cmdline.includes(REPO_ROOT) || proc.cwd.includes(`orch-${run}-`) : owner === run;
    });
  };
  return async () => {
    const deadline = Date.now() + GRACE_MS;
    let left = leftovers();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = leftovers();
    }
    if (left.length === 0) return;
    for (const proc of left) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    // vitest reports a throwing teardown but still exits 0, so the run is failed here.
    console.error(
      `FAIL: processes left running after the tests (killed now):\n${left.map((proc) => `  ${proc.pid} ${proc.cmdline}`).join('\n')}`,
    );
    process.exitCode = 1;
  };
}
