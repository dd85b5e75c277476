/**
 * One daemon per vault (SPEC §9.6), whatever happens to files: the lock is a listening socket that the
 * kernel owns. On Linux it lives in the abstract namespace (`\0mcp-orchestrator/<vault key>`), which has
 * no file that a sync client, a clean-up script or a human could delete or replace, and which the
 * kernel frees the moment the holder dies (SIGKILL included): nothing stale to take over. On other
 * systems it is a Unix socket file in the vault's private state directory (a named pipe on Windows),
 * whose staleness is checked by connecting to it.
 *
 * Whoever connects is told who holds it (one JSON line: pid, host, start time), so a second daemon can
 * say which process runs, and `servers` can tell whether a daemon runs at all.
 */
import { once } from 'node:events';
import { createServer, connect, type Server } from 'node:net';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { errorCode } from '../core/errno.js';
import { jsonOrUndefined } from '../core/text.js';

const HolderSchema = z.object({ pid: z.number().int(), host: z.string(), started_at: z.string() });
export type LockHolder = z.infer<typeof HolderSchema>;

export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
  constructor(
    readonly holder: LockHolder | undefined,
    readonly address: string,
  ) {
    const who = holder ? `pid ${holder.pid} on ${holder.host}, running since ${holder.started_at}` : 'it did not say which process it is';
    super(`Another daemon already runs on this vault (${who}). Stop that daemon first.`);
  }
}

export interface InstanceLock {
  /** Frees the lock. Idempotent. */
  release(): Promise<void>;
}

/** Where the lock lives for a vault: `key` identifies the vault (a hash of its real path). */
export function lockAddress(key: string, stateDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux') return `\0mcp-orchestrator/${key}`;
  if (platform === 'win32') return `\\\\.\\pipe\\mcp-orchestrator-${key}`;
  return path.join(stateDir, 'daemon.sock');
}

/** Takes the vault's lock, or throws AlreadyRunningError naming the process that holds it. */
export async function acquireInstanceLock(key: string, stateDir: string, now: () => Date): Promise<InstanceLock> {
  const address = lockAddress(key, stateDir);
  const me: LockHolder = { pid: process.pid, host: hostname(), started_at: now().toISOString() };
  const server = createServer((socket) => socket.end(`${JSON.stringify(me)}\n`));
  server.unref(); // the lock must never keep the process alive by itself
  const fileSocket = !address.startsWith('\0') && !address.startsWith('\\\\');
  if (fileSocket) await mkdir(path.dirname(address), { recursive: true, mode: 0o700 });
  try {
    await listen(server, address);
  } catch (error) {
    if (errorCode(error) !== 'EADDRINUSE') throw error;
    const holder = await askHolder(address);
    if (holder !== 'nobody' || !fileSocket) throw new AlreadyRunningError(holder === 'nobody' ? undefined : holder, address);
    // A socket file left by a daemon that died: nobody answers on it. Replace it.
    await rm(address, { force: true });
    await listen(server, address);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Who answers on the lock's address: its holder, `nobody` (nothing listens), or undefined (it said nothing usable). */
export async function askHolder(address: string, timeoutMs = 2_000): Promise<LockHolder | 'nobody' | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(address);
    const done = (value: LockHolder | 'nobody' | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('end', () => done(parseHolder(text)));
    socket.on('error', (error) => done(['ECONNREFUSED', 'ENOENT'].includes(errorCode(error) ?? '') ? 'nobody' : undefined));
  });
}

function parseHolder(text: string): LockHolder | undefined {
  const parsed = HolderSchema.safeParse(jsonOrUndefined(text));
  return parsed.success ? parsed.data : undefined;
}

/** Resolves once listening; rejects with the 'error' the listen raised (events.once listens for both). */
async function listen(server: Server, address: string): Promise<void> {
  server.listen(address);
  await once(server, 'listening');
}
