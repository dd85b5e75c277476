/**
 * `<vault>/.orchestrator/health.json`: the running daemon's breakers, open alerts and plan counts,
 * written with Dashboard.md, so another process (the `servers` command) can show what the daemon
 * sees. Breakers live in the daemon's memory; this file is how they are read from outside.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ERROR_TYPES } from '../core/errors.js';
import { isPidAlive, ORCHESTRATOR_DIR, writeFileAtomic } from '../vault/index.js';
import type { DashboardModel } from './dashboard-render.js';

export const HEALTH_FILE = 'health.json';

const BreakerViewSchema = z.object({
  state: z.enum(['closed', 'open', 'half-open']),
  since: z.string(),
  downSince: z.string().optional(),
  consecutiveFailures: z.number(),
  reason: z.enum(['failures', 'authentication']).optional(),
  probeAt: z.string().optional(),
  lastError: z.object({ type: z.enum(ERROR_TYPES), message: z.string(), at: z.string() }).optional(),
});

export const DaemonHealthSchema = z.object({
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

export function healthPath(vault: string): string {
  return path.join(vault, ORCHESTRATOR_DIR, HEALTH_FILE);
}

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

export async function writeHealth(vault: string, health: DaemonHealth): Promise<void> {
  await writeFileAtomic(healthPath(vault), `${JSON.stringify(health, null, 2)}\n`);
}

/**
 * The daemon's last health snapshot, and whether that daemon still runs (if not, the breakers shown
 * are stale: a restart starts them all closed). Undefined when no daemon ever wrote one, or it is unreadable.
 */
export async function readDaemonHealth(vault: string): Promise<(DaemonHealth & { readonly running: boolean }) | undefined> {
  let text: string;
  try {
    text = await readFile(healthPath(vault), 'utf8');
  } catch {
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = DaemonHealthSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  return { ...parsed.data, running: parsed.data.stoppedAt === undefined && isPidAlive(parsed.data.pid) };
}
