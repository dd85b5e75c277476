/** Audit logs for tests of other modules: one that keeps events in memory, one that drops them. */
import type { AuditEvent, AuditLog } from './types.js';

interface MemoryAuditLog extends AuditLog {
  /** Every recorded event, unsanitized, in order. */
  readonly events: readonly AuditEvent[];
}

export function createMemoryAuditLog(): MemoryAuditLog {
  const events: AuditEvent[] = [];
  let closed = false;
  return {
    events,
    record(event) {
      if (!closed) events.push(event);
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

export function createNullAuditLog(): AuditLog {
  return { record: () => undefined, close: () => Promise.resolve() };
}
