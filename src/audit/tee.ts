/** One AuditLog that records every event into several (the files in logs/, the vault's Logs/, metrics…). */
import { maskKnown } from '../core/sanitize.js';
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

/**
 * An AuditLog that masks the configuration's environment values (config envValues) in every event it
 * passes on, under any key: the one mask in front of the logs and the vault audit for what is recorded
 * directly (alerts, notices); plan events are masked once by the event stream itself.
 */
export function maskedAuditLog(log: AuditLog, secrets: readonly string[]): AuditLog {
  if (secrets.length === 0) return log;
  return { record: (event) => log.record(maskKnown(event, secrets)), close: () => log.close() };
}
