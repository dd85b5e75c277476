/** Mirrors execution into the plan file: one Execution Log line per attempt, a tick per succeeded step. */
import type { ExecutionObserver } from '../execution/observer.js';
import { formatExecutionLogLine } from '../plan/render.js';
import type { PlanFileWriter } from './plan-file.js';

export function planFileObserver(writer: PlanFileWriter, now: () => Date): ExecutionObserver {
  return {
    attemptStarting: async () => undefined,
    async attemptFinished(event) {
      const outcome = event.result.ok ? 'success' : event.retrying ? `${event.result.error.type}, retrying` : event.result.error.type;
      const detail = event.result.ok ? event.result.text : event.result.error.message;
      const line = formatExecutionLogLine({
        at: now(),
        server: event.step.server,
        tool: event.step.tool,
        step: event.step.index,
        attempt: event.attempt,
        outcome,
        durationMs: event.durationMs,
        detail,
      });
      // Not awaited: the step goes on while the file catches up; the final status update waits for it.
      void writer.update({
        logLines: [line],
        ...(event.result.ok && event.step.line !== undefined ? { tickLines: [event.step.line] } : {}),
      }).catch(() => undefined);
    },
    stepFinished: async () => undefined,
  };
}
