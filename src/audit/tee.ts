/** One AuditLog that records every event into several (the files in logs/, the vault's Logs/, metrics…). */
import type { AuditLog } from './types.js';

export function teeAuditLogs(...logs: readonly AuditLog[]): AuditLog {
  return {
    record(event) {
      // Each log promises never to throw; this guard keeps one broken sink from starving the others.
      for (const log of logs) {
        try {
          log.record(event);
        } catch {
          /* ignored on purpose: logging must never take the daemon down */
        }
      }
    },
    async close() {
      await Promise.all(logs.map((log) => log.close()));
    },
  };
}
