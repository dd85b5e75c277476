#!/usr/bin/env node
/**
 * Syscalls per step (not part of `npm run bench`: it needs strace): a daemon, a warm-up plan, then
 * `strace -f -c` attached to every thread of the daemon while one plan of --steps idempotent no-op steps
 * runs; prints the count of each file-system call divided by the steps. BENCH_DIST picks the build.
 *   node bench/syscalls.mjs [--steps 200]
 */
import { spawn } from 'node:child_process';
import { access, readdir, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDaemon } from './lib/daemon.mjs';
import { sleep, until } from './lib/time.mjs';
import { createWorkspace, multiStepPlan } from './lib/workspace.mjs';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '200' }, paths: { type: 'boolean', default: false } } });
const STEPS = Number(values.steps);
const CALLS = ['write', 'writev', 'pwrite64', 'read', 'statx', 'newfstatat', 'fstat', 'openat', 'close', 'fdatasync', 'fsync', 'rename'];

const ws = await createWorkspace();
const daemon = startDaemon(ws.configPath);
try {
  await daemon.ready;
  await runPlan('warm', 5);
  const threads = (await readdir(`/proc/${daemon.pid}/task`)).flatMap((tid) => ['-p', tid]);
  // --paths: every call with its file (-y), counted by call and path instead of -c's summary.
  const mode = values.paths ? ['-y', '-qq'] : ['-c'];
  const strace = spawn('strace', [...mode, '-f', '-e', `trace=${CALLS.join(',')}`, ...threads], { stdio: ['ignore', 'ignore', 'pipe'] });
  let report = '';
  strace.stderr.on('data', (chunk) => (report += chunk.toString()));
  await sleep(500); // attached
  await runPlan('traced', STEPS);
  await sleep(300);
  strace.kill('SIGINT');
  await new Promise((resolve) => strace.once('exit', resolve));
  if (values.paths) {
    const counts = new Map();
    for (const line of report.split('\n')) {
      const match = /^(?:\[pid\s+\d+\]\s+)?(\w+)\((?:\d+<([^>]*)>|(?:AT_FDCWD<[^>]*>, )?"([^"]*)")/.exec(line);
      if (!match) continue;
      const file = (match[2] ?? match[3] ?? '?').replace(ws.dir, '').replace(/\.orch-\w+\.tmp/, '.orch-*.tmp').replace(/traced\.md/, 'PLAN.md');
      const key = `${match[1]} ${file}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 30)) process.stdout.write(`${(n / STEPS).toFixed(2).padStart(6)}  ${key}\n`);
    process.exit(0);
  }
  const perStep = {};
  for (const line of report.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const name = cols.at(-1);
    if (CALLS.includes(name) && cols.length >= 5) perStep[name] = Number(cols[3]) / STEPS;
  }
  process.stdout.write(`${Object.entries(perStep).map(([name, n]) => `${name} ${n.toFixed(1)}`).join(', ')} per step (${STEPS} steps)\n`);
} finally {
  await daemon.stop().catch((error) => process.stderr.write(`${error}\n`));
  await ws.cleanup();
}

async function runPlan(id, steps) {
  const draft = path.join(ws.folder('Plans'), `${id}.md`);
  await writeFile(draft, multiStepPlan(id, steps));
  const old = new Date(Date.now() - 60_000);
  await utimes(draft, old, old);
  await rename(draft, path.join(ws.folder('Approved'), `${id}.md`));
  await until(() => access(path.join(ws.folder('Done'), `${id}.md`)).then(() => true, () => false), `${id} in Done/`, 120_000);
}
