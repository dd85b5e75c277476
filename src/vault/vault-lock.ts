import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { sha256 } from './hash.js';
import { createExclusive, readExisting, type ExistingLock } from './lock-file.js';

/** Where daemon state lives inside a vault (the leading dot keeps Obsidian and the watcher away). */
export const ORCHESTRATOR_DIR = '.orchestrator';
export const LOCK_FILE = 'daemon.lock';

/** An unreadable lock younger than this may still be being written (no-hard-link filesystems only). */
const UNREADABLE_GRACE_MS = 10_000;
/** Nested takeovers: each level needs a crash inside a takeover, so a handful is plenty. */
const MAX_TAKEOVER_DEPTH = 4;
const MAX_ROUNDS = 8;

const LockRecordSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  token: z.string().min(1),
  started_at: z.string(),
  /** performance.timeOrigin of the holder: tells a recycled pid (containers restart as pid 1) from us. */
  process_origin: z.number(),
});
type LockRecord = z.infer<typeof LockRecordSchema>;

export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
  constructor(
    readonly pid: number,
    readonly lockPath: string,
    host?: string,
  ) {
    super(
      `Another daemon (pid ${pid}${host ? ` on ${host}` : ''}) already runs on this vault: lock ${lockPath}. ` +
        'Stop that daemon first; if it is not a daemon, delete the lock file.',
    );
  }
}

export interface VaultLock {
  readonly path: string;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): Promise<void>;
}

export interface VaultLockOptions {
  /** Is this pid alive? Default: signal 0 (EPERM counts as alive). */
  readonly isAlive?: (pid: number) => boolean;
  readonly now?: () => Date;
  /** Identity of this process's incarnation (default performance.timeOrigin). */
  readonly processOrigin?: number;
}

interface Context {
  readonly lockPath: string;
  readonly mine: LockRecord;
  readonly isAlive: (pid: number) => boolean;
  readonly now: () => Date;
}

/**
 * One daemon per vault (SPEC §9.6): takes `<vault>/.orchestrator/daemon.lock`, or throws
 * AlreadyRunningError when a live process holds it. A lock whose holder is dead is taken over.
 *
 * Safe takeover: to remove a stale lock instance, a process must first hold the lock
 * `daemon.lock.break-<hash of that instance>` (taken by this same procedure, recursively), then re-read
 * the lock and remove it only if it is still that very instance. Two racers cannot both remove it, and
 * neither can remove a fresh lock another racer created meanwhile; the only way to own the lock is the
 * exclusive create, so exactly one wins and the other sees a live holder.
 */
export async function acquireVaultLock(
  vault: string,
  pid: number = process.pid,
  options: VaultLockOptions = {},
): Promise<VaultLock> {
  const dir = join(vault, ORCHESTRATOR_DIR);
  await mkdir(dir, { recursive: true });
  const now = options.now ?? (() => new Date());
  const lockPath = join(dir, LOCK_FILE);
  const mine: LockRecord = {
    pid,
    host: hostname(),
    token: randomBytes(12).toString('hex'),
    started_at: now().toISOString(),
    process_origin: options.processOrigin ?? performance.timeOrigin,
  };
  await takeLock(lockPath, { lockPath, mine, isAlive: options.isAlive ?? isPidAlive, now }, 0);
  return {
    path: lockPath,
    async release() {
      const current = await readExisting(lockPath);
      if (current && parseLock(current.raw)?.token === mine.token) await rm(lockPath, { force: true });
    },
  };
}

async function takeLock(path: string, ctx: Context, depth: number): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await createExclusive(path, `${JSON.stringify(ctx.mine)}\n`)) return;
    const existing = await readExisting(path);
    if (!existing) continue; // released or taken over meanwhile: try again
    refuseIfHeld(existing, ctx);
    if (depth >= MAX_TAKEOVER_DEPTH) {
      throw new Error(`Cannot take over the stale lock ${path}: too many interrupted takeovers; delete ${ctx.lockPath}* by hand.`);
    }
    const breaker = `${path}.break-${sha256(existing.raw).slice(0, 16)}`;
    await takeLock(breaker, ctx, depth + 1);
    try {
      const again = await readExisting(path);
      if (again?.raw === existing.raw) await rm(path, { force: true });
    } finally {
      await rm(breaker, { force: true });
    }
  }
  throw new Error(`Cannot take the lock ${path}: it keeps changing; is another daemon starting? Try again.`);
}

/** Throws AlreadyRunningError unless `existing` is provably stale. */
function refuseIfHeld(existing: ExistingLock, ctx: Context): void {
  const record = parseLock(existing.raw);
  if (!record) {
    if (ctx.now().getTime() - existing.mtimeMs < UNREADABLE_GRACE_MS) {
      throw new Error(`The lock ${ctx.lockPath} is unreadable and new: another daemon may be starting. Try again shortly.`);
    }
    return; // an old unreadable lock: its writer crashed mid-write
  }
  if (record.host !== ctx.mine.host) throw new AlreadyRunningError(record.pid, ctx.lockPath, record.host);
  if (record.pid === ctx.mine.pid) {
    // Our own pid: either this very process already holds it, or a previous incarnation had our pid.
    if (record.process_origin === ctx.mine.process_origin) throw new AlreadyRunningError(record.pid, ctx.lockPath);
    return;
  }
  if (ctx.isAlive(record.pid)) throw new AlreadyRunningError(record.pid, ctx.lockPath);
}

function parseLock(raw: string): LockRecord | undefined {
  try {
    const parsed = LockRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 checks existence without signalling; EPERM means it exists but belongs to someone else. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
