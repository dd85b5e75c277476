/** One daemon per vault, whatever happens to files (SPEC §9.6): the lock is a socket the kernel owns. */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireInstanceLock, AlreadyRunningError, askHolder, lockAddress } from '../../../src/vault/instance-lock.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();
const now = () => new Date('2026-02-16T14:20:30.000Z');
let keys = 0;
const freshKey = () => `test-${process.pid}-${Date.now()}-${(keys += 1)}`;

describe('acquireInstanceLock', () => {
  it('refuses a second holder, naming the process that holds it, and is free again once released', async () => {
    const state = await tempDir();
    const key = freshKey();
    const lock = await acquireInstanceLock(key, state, now);
    const refusal = await acquireInstanceLock(key, state, now).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AlreadyRunningError);
    expect((refusal as AlreadyRunningError).holder).toMatchObject({ pid: process.pid, started_at: now().toISOString() });
    expect((refusal as Error).message).toContain(`pid ${process.pid}`);
    await lock.release();
    await lock.release(); // idempotent
    const again = await acquireInstanceLock(key, state, now);
    await again.release();
  });

  it.runIf(process.platform === 'linux')('has no file: deleting the whole state folder does not free it', async () => {
    const state = await tempDir();
    const key = freshKey();
    expect(lockAddress(key, state).startsWith('\0')).toBe(true);
    const lock = await acquireInstanceLock(key, state, now);
    await rm(state, { recursive: true, force: true });
    await expect(acquireInstanceLock(key, join(state, 'again'), now)).rejects.toBeInstanceOf(AlreadyRunningError);
    await lock.release();
  });

  it('is freed by the kernel the moment its holder is SIGKILLed: nothing stale to take over', async () => {
    const state = await tempDir();
    const key = freshKey();
    const moduleUrl = new URL('../../../dist/src/vault/instance-lock.js', import.meta.url).href;
    const holder = spawn(
      process.execPath,
      ['--input-type=module', '-e', `const { acquireInstanceLock } = await import(${JSON.stringify(moduleUrl)}); await acquireInstanceLock(${JSON.stringify(key)}, ${JSON.stringify(state)}, () => new Date()); console.log('held'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()));
    expect(await askHolder(lockAddress(key, state))).toMatchObject({ pid: holder.pid });
    await expect(acquireInstanceLock(key, state, now)).rejects.toBeInstanceOf(AlreadyRunningError);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    const lock = await acquireInstanceLock(key, state, now);
    await lock.release();
  });
});
