/**
 * Keeps the set of open alerts: a condition that starts to hold is raised once (an ALERT line in the
 * audit log, and a POST to the optional webhook); one that stops holding is resolved the same way.
 */
import type { AuditLog } from '../audit/types.js';
import type { Alert } from './alerts.js';

export interface OpenAlert extends Alert {
  readonly raisedAt: Date;
}

/** What the webhook receives, as JSON. */
export interface AlertNotice extends Alert {
  readonly status: 'open' | 'resolved';
  readonly raised_at: string;
  readonly at: string;
}

interface AlertCenterOptions {
  readonly audit: AuditLog;
  readonly now: () => Date;
  /** Posts a notice; must not throw (webhook.ts logs its own failures). */
  readonly notify?: (notice: AlertNotice) => Promise<void>;
}

export class AlertCenter {
  private readonly alerts = new Map<string, OpenAlert>();
  private readonly posting = new Set<Promise<void>>();

  constructor(private readonly options: AlertCenterOptions) {}

  /** Brings the open set in line with `active`; true when something changed. */
  update(active: readonly Alert[]): boolean {
    let changed = false;
    const keys = new Set(active.map((alert) => alert.key));
    for (const [key, open] of this.alerts) {
      if (keys.has(key)) continue;
      this.alerts.delete(key);
      this.announce('resolved', open);
      changed = true;
    }
    for (const alert of active) {
      const open = this.alerts.get(alert.key);
      if (open) {
        // Same alert, fresher wording ("down for 6m"): shown, not announced again.
        if (open.message !== alert.message) {
          this.alerts.set(alert.key, { ...alert, raisedAt: open.raisedAt });
          changed = true;
        }
        continue;
      }
      const raised = { ...alert, raisedAt: this.options.now() };
      this.alerts.set(alert.key, raised);
      this.announce('open', raised);
      changed = true;
    }
    return changed;
  }

  /** Oldest first. */
  open(): OpenAlert[] {
    return [...this.alerts.values()].sort((a, b) => a.raisedAt.getTime() - b.raisedAt.getTime());
  }

  /** Waits for webhook posts still under way. */
  async settle(): Promise<void> {
    await Promise.all([...this.posting]);
  }

  private announce(status: 'open' | 'resolved', alert: OpenAlert): void {
    this.options.audit.record({
      event: 'ALERT',
      status,
      ...(alert.server ? { server: alert.server } : {}),
      message: `${alert.kind}: ${alert.message}`,
    });
    const notify = this.options.notify;
    if (!notify) return;
    const post = notify({
      status,
      kind: alert.kind,
      key: alert.key,
      message: alert.message,
      ...(alert.server ? { server: alert.server } : {}),
      raised_at: alert.raisedAt.toISOString(),
      at: this.options.now().toISOString(),
    }).finally(() => this.posting.delete(post));
    this.posting.add(post);
  }
}
