/** The real daemon as a child process, as a user runs it; its start-up time and memory from /proc. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { DAEMON_ENTRY } from './paths.mjs';
import { hrNow, msBetween } from './time.mjs';

/** BENCH_PROFILE_DIR: every daemon the bench starts writes a V8 CPU profile there when it stops. */
const PROFILE = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
/** BENCH_DAEMON_NODE_ARGS: Node flags for the daemon only (not the servers), e.g. `--max-semi-space-size=1`. */
const DAEMON_NODE_ARGS = (process.env.BENCH_DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean);

export function startDaemon(configPath, { env = {}, args = [], nodeArgs = [...PROFILE, ...DAEMON_NODE_ARGS] } = {}) {
  const startedAt = hrNow();
  const child = spawn(process.execPath, [...nodeArgs, DAEMON_ENTRY, 'daemon', '--config', configPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let readyAt;
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code) => reject(new Error(`daemon exited (${code}) before it was ready:\n${output}`)));
  });
  child.stdout.on('data', (chunk) => {
    output += chunk.toString();
    if (readyAt === undefined && output.includes('watching ')) {
      readyAt = hrNow();
      onReady(msBetween(startedAt, readyAt));
    }
  });
  child.stderr.on('data', (chunk) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    pid: child.pid,
    /** Resolves with the milliseconds from spawn to the banner's last line (the first scan follows at once). */
    ready,
    output: () => output,
    exited,
    /** Current and peak resident set size, in MB (VmRSS, VmHWM). */
    memory: () => memoryOf(child.pid),
    /** CPU time the daemon process has used so far (user + system, all its threads), in ms. */
    cpuMs: () => cpuMsOf(child.pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`daemon stopped with ${code}:\n${output.slice(-2000)}`);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

export async function memoryOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every mainstream Linux. */
const USER_HZ = 100;

export async function cpuMsOf(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

/** The pids of `pid`'s descendants (children of children too), from /proc/<n>/stat's ppid field. */
export async function descendantsOf(pid) {
  const { readdir } = await import('node:fs/promises');
  const parents = new Map();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!parents.has(ppid)) parents.set(ppid, []);
    parents.get(ppid).push(Number(name));
  }
  const out = [];
  const walk = (p) => {
    for (const child of parents.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** RSS of a process and all its descendants, in MB: {totalMb, ownMb, processes}. */
export async function treeMemory(pid) {
  const own = (await memoryOf(pid)).rssMb;
  let total = own;
  const children = await descendantsOf(pid);
  for (const child of children) total += (await memoryOf(child).catch(() => ({ rssMb: 0 }))).rssMb;
  return { totalMb: total, ownMb: own, processes: 1 + children.length };
}
