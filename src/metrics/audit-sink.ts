/** An AuditLog that feeds the Prometheus counters: tee it with the file log (audit/tee.ts). */
import type { AuditLog } from '../audit/types.js';
import type { OrchestratorMetrics } from './metrics.js';

export function createMetricsAuditSink(metrics: OrchestratorMetrics): AuditLog {
  let closed = false;
  return {
    record(event) {
      if (closed) return;
      try {
        metrics.record(event);
      } catch {
        /* a metric must never cost an audit event or the daemon */
      }
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
