import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile, mkdir, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireVaultLock, AlreadyRunningError, isPidAlive } from '../../../src/vault/vault-lock.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

/** The pid of a process that has exited: a real dead pid. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  if (child.pid === undefined) throw new Error('spawn gave no pid');
  return child.pid;
}

const lockPath = (vault: string) => join(vault, '.orchestrator', 'daemon.lock');

async function writeStaleLock(vault: string, pid: number): Promise<void> {
  await mkdir(join(vault, '.orchestrator'), { recursive: true });
  const record = { pid, host: hostname(), token: 'stale', started_at: '2026-01-01T00:00:00Z', process_origin: 1 };
  await writeFile(lockPath(vault), `${JSON.stringify(record)}\n`);
}

describe('acquireVaultLock', () => {
  it('writes pid and start time, refuses a second daemon naming pid and lock, and frees on release', async () => {
    const vault = await tempDir();
    const lock = await acquireVaultLock(vault);
    const content = JSON.parse(await readFile(lockPath(vault), 'utf8'));
    expect(content).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Number.isNaN(Date.parse(content.started_at))).toBe(false);

    const refusal = await acquireVaultLock(vault, process.ppid).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AlreadyRunningError);
    expect((refusal as AlreadyRunningError).pid).toBe(process.pid);
    expect((refusal as Error).message).toContain(lockPath(vault));

    await lock.release();
    await lock.release(); // idempotent
    expect(await readdir(join(vault, '.orchestrator'))).toEqual([]);
    const again = await acquireVaultLock(vault, process.ppid);
    await again.release();
  });

  it('refuses when this same process already holds it', async () => {
    const vault = await tempDir();
    const lock = await acquireVaultLock(vault);
    await expect(acquireVaultLock(vault)).rejects.toBeInstanceOf(AlreadyRunningError);
    await lock.release();
  });

  it('takes over a lock left by a dead process', async () => {
    const vault = await tempDir();
    await writeStaleLock(vault, await deadPid());
    const lock = await acquireVaultLock(vault);
    expect(JSON.parse(await readFile(lockPath(vault), 'utf8')).pid).toBe(process.pid);
    expect(await readdir(join(vault, '.orchestrator'))).toEqual(['daemon.lock']); // no takeover leftovers
    await lock.release();
  });

  it('takes over a lock left by an earlier incarnation with our pid (containers reuse pid 1)', async () => {
    const vault = await tempDir();
    await writeStaleLock(vault, process.pid); // process_origin 1 is not ours
    const lock = await acquireVaultLock(vault);
    await lock.release();
  });

  it('when several racers find the same stale lock, exactly one wins', async () => {
    const vault = await tempDir();
    await writeStaleLock(vault, await deadPid());
    // Distinct live pids stand for distinct daemons; each sees the others as alive.
    const pids = [process.pid, process.ppid, 1];
    const results = await Promise.allSettled(pids.map((pid) => acquireVaultLock(vault, pid, { processOrigin: pid })));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(AlreadyRunningError);
    }
    const holder = JSON.parse(await readFile(lockPath(vault), 'utf8')).pid;
    expect(pids).toContain(holder);
    await (winners[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it('finishes a takeover that a crashed daemon left half done', async () => {
    const vault = await tempDir();
    await writeStaleLock(vault, await deadPid());
    const raw = await readFile(lockPath(vault), 'utf8');
    const { sha256 } = await import('../../../src/vault/hash.js');
    const breaker = `${lockPath(vault)}.break-${sha256(raw).slice(0, 16)}`;
    const crashed = { pid: await deadPid(), host: hostname(), token: 't', started_at: 'x', process_origin: 2 };
    await writeFile(breaker, JSON.stringify(crashed));
    const lock = await acquireVaultLock(vault);
    expect(await readdir(join(vault, '.orchestrator'))).toEqual(['daemon.lock']);
    await lock.release();
  });

  it('treats an old unreadable lock as stale but refuses a fresh one (it may be being written)', async () => {
    const vault = await tempDir();
    await mkdir(join(vault, '.orchestrator'));
    await writeFile(lockPath(vault), '');
    await expect(acquireVaultLock(vault)).rejects.toThrow(/unreadable/);
    await utimes(lockPath(vault), 1000, 1000);
    const lock = await acquireVaultLock(vault);
    await lock.release();
  });

  it('refuses a lock held on another host, whose pids it cannot check', async () => {
    const vault = await tempDir();
    await mkdir(join(vault, '.orchestrator'));
    const record = { pid: 4242, host: 'elsewhere', token: 't', started_at: 'x', process_origin: 3 };
    await writeFile(lockPath(vault), JSON.stringify(record));
    await expect(acquireVaultLock(vault)).rejects.toThrow(/pid 4242 on elsewhere/);
  });
});

describe('isPidAlive', () => {
  it('knows the living from the dead', async () => {
    expect(isPidAlive(process.pid)).toBe(true);
    expect(isPidAlive(await deadPid())).toBe(false);
  });
});
