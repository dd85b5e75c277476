/** Mirrors execution into the audit log: CALL and PARAMS before each attempt, then its outcome. */
import type { AuditLog } from '../audit/logger.js';
import type { ExecutionObserver } from '../execution/observer.js';

export interface AuditContext {
  readonly plan: string;
  readonly approvedBy?: string;
}

const RESPONSE_CHARS = 500;

export function auditObserver(audit: AuditLog, context: AuditContext): ExecutionObserver {
  const base = (step: { index: number; server: string; tool: string }, attempt: number) => ({
    plan: context.plan,
    step: step.index,
    server: step.server,
    tool: step.tool,
    attempt,
    ...(context.approvedBy ? { approved_by: context.approvedBy } : {}),
  });
  return {
    async attemptStarting({ step, attempt, args }) {
      audit.record({ event: 'CALL', ...base(step, attempt) });
      audit.record({ event: 'PARAMS', ...base(step, attempt), params: args });
    },
    async attemptFinished({ step, attempt, result, durationMs, retrying }) {
      if (result.ok) {
        audit.record({ event: 'RESPONSE', ...base(step, attempt), message: result.text.slice(0, RESPONSE_CHARS) });
        audit.record({ event: 'SUCCESS', ...base(step, attempt), status: 'success', duration_ms: durationMs });
        return;
      }
      audit.record({
        event: retrying ? 'RETRY' : 'FAILED',
        ...base(step, attempt),
        status: retrying ? 'retrying' : 'failed',
        error_type: result.error.type,
        duration_ms: durationMs,
        message: result.error.message,
      });
    },
    stepFinished: async () => undefined,
  };
}
