/**
 * The daemon's operational side (issue 7), wired together: the GuardedCaller (circuit breakers, rate
 * limits) in front of the pool, the PlanTracker, the alert rules and AlertCenter, and the throttled
 * Dashboard.md / health.json writer. The daemon starts one and stops it last.
 */
import path from 'node:path';
import type { AuditLog } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { messageOf } from '../core/text.js';
import { localGuardStore, type GuardStore } from '../execution/guard-store.js';
import { GuardedCaller } from '../execution/guarded-caller.js';
import { RateLedger } from '../execution/rate-limit-ledger.js';
import { rateRulesFrom } from '../execution/rate-limit.js';
import type { McpPool } from '../mcp/pool.js';
import { statePaths } from '../config/state-dir.js';
import { FINAL_FOLDERS } from '../vault/folders.js';
import { listPlanFiles } from '../vault/list-plan-files.js';
import { writeFileAtomic } from '../vault/write-file-atomic.js';
import { AlertCenter } from './alert-center.js';
import { activeAlerts } from './alerts.js';
import { buildDashboardModel, renderDashboard, type DashboardModel } from './dashboard-render.js';
import { DashboardWriter, realTimers, type Timers } from './dashboard-writer.js';
import { healthOf, writeHealth } from './health-file.js';
import { PlanTracker, type FinishedPlan } from './plan-tracker.js';
import { readRecentFromLog } from './recent-from-log.js';
import { webhookNotifier } from './webhook.js';

const DASHBOARD_FILE = 'Dashboard.md';

interface MonitorOptions {
  readonly config: Config;
  readonly pool: Pick<McpPool, 'callTool' | 'listTools' | 'status'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly timers?: Timers;
  /** Alert rules re-checked this often (time-based ones: a server down too long, the day changing). */
  readonly tickMs?: number;
  readonly fetch?: typeof fetch;
  /** With `cluster`: breakers and rate-limited calls shared through the database, instead of memory and the ledger file. */
  readonly guardStore?: GuardStore;
}

export interface Monitor {
  readonly guard: GuardedCaller;
  readonly tracker: PlanTracker;
  /** Something changed: re-check alerts, rewrite the dashboard soon. */
  refresh(): void;
  model(): DashboardModel;
  stop(): Promise<void>;
}

export async function startMonitor(options: MonitorOptions): Promise<Monitor> {
  const { config, audit } = options;
  const now = (): Date => options.clock.now();
  const timers = options.timers ?? realTimers;
  const vault = config.vault;
  const startedAt = now();
  let stoppedAt: Date | undefined;
  const rules = rateRulesFrom(config.actions);
  const files = statePaths(config.state);
  // One host: breakers in memory, counted calls in the ledger file (closed at the stop); with `cluster`, the database.
  let ledger: RateLedger | undefined;
  let store = options.guardStore;
  if (!store) {
    ledger = await RateLedger.open(files.rateLedger, rules, startedAt.getTime());
    store = localGuardStore(ledger, now);
  }
  const enabled = Object.entries(config.mcpServers).filter(([, server]) => server.enabled).map(([name]) => name);

  let refresh = (): void => undefined;
  const guard = new GuardedCaller({
    inner: options.pool,
    servers: enabled,
    breaker: { failureThreshold: config.breaker.failureThreshold, coolDownMs: config.breaker.coolDown },
    rateRules: rules,
    store,
    now,
    latchedRetryMs: config.execution.deferDelayMs,
    onChange: () => refresh(),
  });
  const tracker = new PlanTracker(now, () => refresh());
  const webhookUrl = config.alerts.webhookUrl;
  const alerts = new AlertCenter({
    audit,
    now,
    ...(webhookUrl
      ? {
          notify: webhookNotifier({
            url: webhookUrl,
            onError: (message) => audit.record({ event: 'AUDIT', status: 'webhook_failed', message }),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          }),
        }
      : {}),
  });
  const alertRules = {
    serverDownMs: config.alerts.serverDown,
    failedPlans: config.alerts.failedPlans,
    failedPlansWithinMs: config.alerts.failedPlansWithin,
    queueThreshold: config.alerts.queueThreshold,
  };

  const model = (): DashboardModel => {
    const connectionErrors = new Map(options.pool.status().map((s) => [s.name, s.lastError]));
    const breakers = guard.breakerStates();
    return buildDashboardModel({
      now: now(),
      startedAt,
      ...(stoppedAt ? { stoppedAt } : {}),
      plans: tracker.snapshot(),
      servers: Object.entries(config.mcpServers).map(([name, server]) => {
        const connectionError = connectionErrors.get(name);
        const breaker = breakers[name];
        return { name, enabled: server.enabled, ...(breaker ? { breaker } : {}), ...(connectionError ? { connectionError } : {}) };
      }),
      alerts: alerts.open(),
    });
  };
  let lastWriteError: string | undefined;
  const writer = new DashboardWriter<DashboardModel>({
    model,
    render: renderDashboard,
    write: async (text, current) => {
      await writeHealth(files.health, healthOf(current, now()));
      if (config.dashboard.enabled) await writeFileAtomic(path.join(vault, DASHBOARD_FILE), text);
      lastWriteError = undefined;
    },
    now,
    timers,
    minIntervalMs: 1_000,
    onError: (error) => {
      const message = `dashboard: cannot write ${path.join(vault, DASHBOARD_FILE)}: ${messageOf(error)}`;
      if (message !== lastWriteError) audit.record({ event: 'ALERT', status: 'open', message });
      lastWriteError = message;
    },
  });

  let stopped = false;
  refresh = () => {
    if (stopped) return;
    const snapshot = tracker.snapshot();
    alerts.update(
      activeAlerts({ now: now(), servers: guard.breakerStates(), waiting: snapshot.waiting, finished: snapshot.finished }, alertRules),
    );
    writer.poke();
  };
  // In the background: listing Done/ of a vault with 100,000 notes must not delay the daemon's start.
  // Only files finished before now are counted, so a plan finishing meanwhile is not counted twice.
  const seededAt = now();
  void finishedRecently(vault, seededAt)
    .then((finished) => tracker.seed(finished))
    .catch(() => undefined);
  void readRecentFromLog(config.logs, tracker.recentLimit, seededAt)
    .then((earlier) => tracker.seedRecent(earlier))
    .catch(() => undefined);

  const tickMs = options.tickMs ?? 1_000;
  let tick: unknown;
  const schedule = (): void => {
    tick = timers.setTimeout(() => {
      refresh();
      if (!stopped) schedule();
    }, tickMs);
  };
  schedule();

  return {
    guard,
    tracker,
    refresh: () => refresh(),
    model,
    async stop() {
      refresh();
      stopped = true;
      stoppedAt = now();
      timers.clearTimeout(tick);
      await writer.close();
      await alerts.settle();
      await ledger?.close();
    },
  };
}

/**
 * Plans that reached a final folder in the last two days, by file time (a plan file is rewritten just
 * before its final move), so "done today" and the failure alert survive a restart.
 */
async function finishedRecently(vault: string, now: Date): Promise<FinishedPlan[]> {
  const since = now.getTime() - 48 * 3_600_000;
  const finished: FinishedPlan[] = [];
  for (const folder of FINAL_FOLDERS) {
    const listing = await listPlanFiles(path.join(vault, folder)).catch(() => undefined);
    for (const file of listing?.files ?? []) {
      if (file.mtimeMs >= since && file.mtimeMs < now.getTime()) finished.push({ at: new Date(file.mtimeMs), folder, file: file.name });
    }
  }
  return finished;
}
