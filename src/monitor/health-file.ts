/**
 * `health.json` in the vault's private state: the running daemon's breakers, open alerts and plan counts,
 * written with Dashboard.md, so another process (the `servers` command) can show what the daemon
 * sees. Breakers live in the daemon's memory; this file is how they are read from outside.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { errorCode } from '../core/errno.js';
import { ERROR_TYPES } from '../core/errors.js';
import { jsonOrUndefined } from '../core/text.js';
import { writeFileAtomic } from '../vault/write-file-atomic.js';
import type { DashboardModel } from './dashboard-render.js';

const BreakerViewSchema = z.object({
  state: z.enum(['closed', 'open', 'half-open']),
  since: z.string(),
  downSince: z.string().optional(),
  consecutiveFailures: z.number(),
  reason: z.enum(['failures', 'authentication', 'authorization']).optional(),
  probeAt: z.string().optional(),
  lastError: z.object({ type: z.enum(ERROR_TYPES), message: z.string(), at: z.string() }).optional(),
});

const DaemonHealthSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  /** Present once the daemon stopped cleanly: the breakers below are its last state, not live. */
  stoppedAt: z.string().optional(),
  updatedAt: z.string(),
  /** Enabled servers only. */
  breakers: z.record(z.string(), BreakerViewSchema),
  alerts: z.array(z.object({ kind: z.string(), message: z.string(), server: z.string().optional(), raisedAt: z.string() })),
  counts: z.object({
    waiting: z.number(),
    inProgress: z.number(),
    deferred: z.number(),
    doneToday: z.number(),
    failedToday: z.number(),
    needsReviewToday: z.number(),
  }),
});

export type DaemonHealth = z.infer<typeof DaemonHealthSchema>;

export function healthOf(model: DashboardModel, updatedAt: Date, pid = process.pid): DaemonHealth {
  const breakers: DaemonHealth['breakers'] = {};
  for (const server of model.servers) if (server.enabled && server.breaker) breakers[server.name] = server.breaker;
  return {
    pid,
    startedAt: model.startedAt.toISOString(),
    ...(model.stoppedAt ? { stoppedAt: model.stoppedAt.toISOString() } : {}),
    updatedAt: updatedAt.toISOString(),
    breakers,
    alerts: model.alerts.map((alert) => ({
      kind: alert.kind,
      message: alert.message,
      ...(alert.server ? { server: alert.server } : {}),
      raisedAt: alert.raisedAt.toISOString(),
    })),
    counts: { ...model.counts },
  };
}

export async function writeHealth(file: string, health: DaemonHealth): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(health, null, 2)}\n`, 0o600);
}

/**
 * The daemon's last health snapshot, and whether that daemon still runs (if not, the breakers shown
 * are stale: a restart starts them all closed). Undefined when no daemon ever wrote one, or it is unreadable.
 */
export async function readDaemonHealth(file: string): Promise<(DaemonHealth & { readonly running: boolean }) | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const parsed = DaemonHealthSchema.safeParse(text === undefined ? undefined : jsonOrUndefined(text));
  if (!parsed.success) return undefined;
  return { ...parsed.data, running: parsed.data.stoppedAt === undefined && isPidAlive(parsed.data.pid) };
}

/** Signal 0 checks existence without signalling; EPERM means it exists but belongs to someone else. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ESRCH';
  }
}
