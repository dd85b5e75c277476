/**
 * The alert rules (issue 7), pure over a snapshot of the daemon's state: which conditions hold now.
 * AlertCenter (alert-center.ts) turns changes of this set into ALERT lines and webhook posts.
 */
import type { BreakerView } from '../execution/breaker.js';
import { formatDuration } from '../core/duration.js';
import type { FinishedPlan } from './plan-tracker.js';

export type AlertKind = 'authentication' | 'server_down' | 'repeated_failures' | 'queue';

export interface Alert {
  /** Stable while the condition lasts: the same key is the same alert. */
  readonly key: string;
  readonly kind: AlertKind;
  readonly message: string;
  readonly server?: string;
}

interface AlertRules {
  readonly serverDownMs: number;
  readonly failedPlans: number;
  readonly failedPlansWithinMs: number;
  readonly queueThreshold: number;
}

export interface AlertInput {
  readonly now: Date;
  readonly servers: Readonly<Record<string, BreakerView>>;
  readonly waiting: number;
  readonly finished: readonly FinishedPlan[];
}

export function activeAlerts(input: AlertInput, rules: AlertRules): Alert[] {
  const alerts: Alert[] = [];
  const now = input.now.getTime();
  for (const [server, view] of Object.entries(input.servers)) {
    if (view.reason === 'authentication') {
      const last = view.lastError ? `: ${view.lastError.message}` : '';
      alerts.push({
        key: `authentication:${server}`,
        kind: 'authentication',
        server,
        message: `server ${server} rejected our credentials${last}; calls to it are stopped until the daemon restarts with corrected configuration or credentials`,
      });
      continue;
    }
    if (view.reason === 'authorization') {
      alerts.push({
        key: `authorization:${server}`,
        kind: 'authentication',
        server,
        message:
          `server ${server} needs its OAuth authorization again (refresh token revoked or expired): run \`mcp-orchestrator auth ${server}\`; ` +
          'its plans wait (deferred) and go on by themselves once it is authorized, without a restart',
      });
      continue;
    }
    const downSince = view.downSince ? Date.parse(view.downSince) : undefined;
    if (view.state !== 'closed' && downSince !== undefined && now - downSince >= rules.serverDownMs) {
      const last = view.lastError ? ` (last error: ${view.lastError.type}: ${view.lastError.message})` : '';
      alerts.push({
        key: `server_down:${server}`,
        kind: 'server_down',
        server,
        message: `server ${server} has been down for ${formatDuration(roundDown(now - downSince))}${last}`,
      });
    }
  }
  const failures = input.finished.filter(
    (plan) => plan.folder !== 'Done' && now - plan.at.getTime() < rules.failedPlansWithinMs && plan.at.getTime() <= now,
  );
  if (failures.length >= rules.failedPlans) {
    const names = failures.slice(-3).map((plan) => plan.file).join(', ');
    alerts.push({
      key: 'repeated_failures',
      kind: 'repeated_failures',
      message: `${failures.length} plans failed or need review in the last ${formatDuration(rules.failedPlansWithinMs)} (latest: ${names})`,
    });
  }
  if (input.waiting > rules.queueThreshold) {
    alerts.push({
      key: 'queue',
      kind: 'queue',
      message: `${input.waiting} plans are waiting to run (threshold ${rules.queueThreshold})`,
    });
  }
  return alerts;
}

/** Whole minutes (or seconds under a minute), so the message reads "5m", not "5m 0.42s". */
function roundDown(ms: number): number {
  return ms >= 60_000 ? Math.floor(ms / 60_000) * 60_000 : Math.max(1_000, Math.floor(ms / 1_000) * 1_000);
}
