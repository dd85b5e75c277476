/**
 * Shared pieces of the load test (load.ts) and the kill soak (soak.ts): a temporary project wired to
 * the fault server's seeded `chaos` tool, plan files of three steps, the real daemon as a child process,
 * its memory read from /proc, and the census that checks the guarantees of SPEC §9 from the outside:
 * where every plan is, and how often the server was asked to act for each step.
 *
 * Node built-ins only (the cluster soak adds tests/helpers/postgres.ts), compiled by tests/soak/tsconfig.json to dist/tests/soak/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from dist/tests/soak/ (compiled) or tests/soak/ (source). */
export const REPO = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'bin', 'mcp-orchestrator.js'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (bin/mcp-orchestrator.js)');
    dir = parent;
  }
  return dir;
})();
const BIN = path.join(REPO, 'bin', 'mcp-orchestrator.js');
const FAULT_SERVER = path.join(REPO, 'dist', 'tests', 'fixtures', 'servers', 'fault-server.js');

export const FINAL = ['Done', 'Failed', 'Needs_Review'] as const;
export const FOLDERS = ['Approved', 'In_Progress', ...FINAL] as const;

export interface SoakWorkspace {
  readonly dir: string;
  readonly vault: string;
  readonly configPath: string;
  readonly callsFile: string;
  cleanup(): Promise<void>;
}

export interface WorkspaceOptions {
  readonly seed: number;
  readonly failRate: number;
  readonly hangRate: number;
  readonly callTimeoutMs: number;
  readonly maxConcurrentPlans: number;
  readonly serverConcurrency: number;
  /** Each answer of the chaos tool is delayed up to this (seeded), so kills find calls in flight. */
  readonly maxDelayMs?: number;
}

export async function createSoakWorkspace(options: WorkspaceOptions): Promise<SoakWorkspace> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-soak-'));
  const vault = path.join(dir, 'vault');
  const callsFile = path.join(dir, 'calls.jsonl');
  await mkdir(path.join(vault, 'Plans'), { recursive: true });
  await writeFile(callsFile, '');
  const config = {
    vault: '../vault',
    logs: '../logs',
    state: '../state',
    execution: { timeoutMs: options.callTimeoutMs, maxRetries: 2, retryDelayMs: 20, deferDelayMs: 300, maxConcurrentPlans: options.maxConcurrentPlans },
    logging: { logParameters: true, sanitize: true },
    daemon: { scanIntervalMs: 500, stabilityMs: 0, graceMs: 2_000 },
    mcpServers: {
      chaos: {
        command: process.execPath,
        args: [FAULT_SERVER],
        env: {
          CALLS_FILE: callsFile,
          STATE_DIR: path.join(dir, 'fault-state'),
          FAULT_SEED: String(options.seed),
          FAULT_FAIL_RATE: String(options.failRate),
          FAULT_HANG_RATE: String(options.hangRate),
          FAULT_MAX_DELAY_MS: String(options.maxDelayMs ?? 0),
        },
        maxConcurrency: options.serverConcurrency,
        // Connecting (node start-up) may take longer than a call is allowed to.
        timeoutMs: Math.max(options.callTimeoutMs, 10_000),
      },
    },
    actions: {
      lookup: { server: 'chaos', tool: 'chaos', idempotent: true, timeoutMs: options.callTimeoutMs },
      send: { server: 'chaos', tool: 'chaos', idempotent: false, timeoutMs: options.callTimeoutMs },
    },
  };
  const configPath = path.join(dir, 'config', 'orchestrator.json');
  await mkdir(path.dirname(configPath), { recursive: true });
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return { dir, vault, configPath, callsFile, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Step names of a plan: `<plan>-s1` (idempotent lookup), `<plan>-s2-send` (not idempotent), `<plan>-s3`. */
export function stepNames(plan: string): string[] {
  return [`${plan}-s1`, `${plan}-s2-send`, `${plan}-s3`];
}

export function planText(plan: string): string {
  const [a, b, c] = stepNames(plan);
  const step = (action: string, name: string | undefined) => [`- [ ] ${name}`, '  ```yaml', `  action: ${action}`, `  name: ${name}`, '  ```'];
  return ['---', `id: ${plan}`, '---', '## Steps', ...step('lookup', a), ...step('send', b), ...step('lookup', c), ''].join('\n');
}

/** Writes the plans into Plans/, then renames them all into Approved/ (how a human approves). */
export async function dropPlans(ws: SoakWorkspace, plans: readonly string[]): Promise<void> {
  for (const plan of plans) await writeFile(path.join(ws.vault, 'Plans', `${plan}.md`), planText(plan));
  await mkdir(path.join(ws.vault, 'Approved'), { recursive: true });
  for (const plan of plans) await rename(path.join(ws.vault, 'Plans', `${plan}.md`), path.join(ws.vault, 'Approved', `${plan}.md`));
}

export interface Daemon {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  output(): string;
}

/** Daemons still running, stopped when the soak ends however it ends (no command leaves a process running). */
const running = new Set<ChildProcess>();
const cleanups: Array<() => void> = [];
process.once('exit', () => {
  for (const cleanup of cleanups) cleanup();
  for (const child of running) {
    // A node the soak paused (SIGSTOP) would never act on SIGTERM.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  }
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(130));

/** Runs `cleanup` (synchronous) when the soak process exits, even interrupted. */
export function onSoakExit(cleanup: () => void): void {
  cleanups.push(cleanup);
}

export function startDaemon(ws: SoakWorkspace, args: string[] = [], env: Record<string, string> = {}): Daemon {
  const child = spawn(process.execPath, [BIN, 'daemon', '--config', ws.configPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, exited, output: () => output };
}

/** Resident and peak resident memory of a process, in MiB (Linux /proc). */
export function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export interface Census {
  /** Plan → folders it was found in (exactly one when nothing is lost or duplicated). */
  readonly where: ReadonlyMap<string, readonly string[]>;
  readonly counts: Readonly<Record<string, number>>;
  /** Dropped plans found in no folder. */
  readonly lost: readonly string[];
  /** Dropped plans found in more than one folder. */
  readonly doubled: readonly string[];
  /** Plans in In_Progress/ whose file says `status: deferred`. */
  readonly deferred: number;
  /** Plans whose final file no longer holds every one of its steps (content not preserved). */
  readonly mangled: readonly string[];
}

export async function census(ws: SoakWorkspace, plans: readonly string[]): Promise<Census> {
  const found = new Map<string, string[]>();
  const counts: Record<string, number> = {};
  let deferred = 0;
  const mangled: string[] = [];
  for (const folder of FOLDERS) {
    const names = (await readdir(path.join(ws.vault, folder)).catch(() => [] as string[])).filter((n) => n.endsWith('.md'));
    counts[folder] = names.length;
    for (const name of names) {
      const plan = name.replace(/\.md$/, '');
      found.set(plan, [...(found.get(plan) ?? []), folder]);
      const text = await readFile(path.join(ws.vault, folder, name), 'utf8').catch(() => '');
      if (folder === 'In_Progress' && /^status: deferred$/m.test(text)) deferred++;
      if (text !== '' && !stepNames(plan).every((step) => text.includes(`name: ${step}`))) mangled.push(plan);
    }
  }
  return {
    where: found,
    counts,
    lost: plans.filter((plan) => !found.has(plan)),
    doubled: plans.filter((plan) => (found.get(plan)?.length ?? 0) > 1),
    deferred,
    mangled,
  };
}

export interface CallStats {
  readonly total: number;
  /** Calls beyond the first, per step, summed (retries and re-sends). */
  readonly repeats: number;
  /** Non-idempotent steps the server may have acted on more than once (answered ok, or hung), or was
   * called again after it may have acted: must be 0 (SPEC §9.3, §9.4). */
  readonly duplicateSends: readonly string[];
  /** Non-idempotent steps called again after a failure the server declared (server_error, rate_limit):
   * allowed, the outcome was known (SPEC §7). */
  readonly resentAfterDeclaredFailure: number;
}

/** A move after which the server may have acted: it answered ok (at once or slowly), or it received the call and hung. */
const mayHaveActed = (move: string) => move === 'ok' || move === 'hang' || move.startsWith('slow:');

/**
 * A step is its name and its idempotency key: a new approval of the same plan (a plan that completed and
 * is run again) has new keys and may send again; the same approval may not.
 */
export async function callStats(ws: SoakWorkspace): Promise<CallStats> {
  const lines = (await readFile(ws.callsFile, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const byStep = new Map<string, string[]>();
  for (const line of lines) {
    const call = JSON.parse(line) as { args: { name: string; idempotency_key?: string }; move: string };
    const step = `${call.args.name} (key ${call.args.idempotency_key ?? '-'})`;
    byStep.set(step, [...(byStep.get(step) ?? []), call.move]);
  }
  const duplicateSends: string[] = [];
  let repeats = 0;
  let resent = 0;
  for (const [step, moves] of byStep) {
    repeats += moves.length - 1;
    if (!step.includes('-send ')) continue;
    const firstActed = moves.findIndex(mayHaveActed);
    if (firstActed !== -1 && firstActed < moves.length - 1) duplicateSends.push(`${step}: ${moves.join(', ')}`);
    resent += firstActed === -1 ? moves.length - 1 : firstActed;
  }
  return { total: lines.length, repeats, duplicateSends, resentAfterDeclaredFailure: resent };
}

/** A small seeded PRNG (mulberry32): the soak's kill moments are reproducible from `--seed`. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `promise`'s value, or `fallback` after `ms` (the timer never outlives the race). */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export function machine(): string {
  return `${os.cpus().length} cpu (nproc ${os.availableParallelism()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, node ${process.version}, ${os.platform()} ${os.release()}`;
}
