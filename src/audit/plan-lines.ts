/**
 * The plan events as lines of `logs/mcp_actions.log` and `.jsonl` (SPEC §8). Every line names the plan
 * the same way (`plan=<id>`, with `file=<name>` where the file matters); a plan's last line says what
 * happened: DONE only when it completed, FAILED, REVIEW or DEFERRED otherwise. Pure mapping, plus the
 * subscriber that records the lines.
 */
import type { Subscriber } from '../events/event-stream.js';
import type { PlanEvent, PlanRef } from '../events/plan-event.js';
import { isDeduplicated } from '../events/step-result.js';
import type { ResolvedStep } from '../plan/validated.js';
import type { AuditEvent, AuditLog } from './types.js';
import { unreachable } from '../core/errors.js';

/** How much of a result's text a RESPONSE line keeps. */
const RESPONSE_CHARS = 500;

export function planLinesSubscriber(audit: AuditLog): Subscriber {
  return (event) => {
    for (const line of linesOf(event)) audit.record(line);
  };
}

function linesOf(event: PlanEvent): AuditEvent[] {
  const plan = planFields(event.plan);
  switch (event.type) {
    case 'claimed':
      return [{ event: 'CLAIM', ...plan, file: event.plan.claim, message: `claimed ${event.from} into In_Progress/${event.plan.claim}` }];
    case 'run_started':
      return event.valid.manual.map((step) => ({ event: 'AUDIT', ...plan, step: step.index, message: `manual step left for a human: ${step.text}` }));
    case 'attempt_started': {
      const call = callFields(plan, event.step, event.attempt);
      return [
        { event: 'CALL', ...call },
        { event: 'PARAMS', ...call, params: event.args },
      ];
    }
    case 'attempt_ended': {
      const call = callFields(plan, event.step, event.attempt);
      if (event.result.ok) {
        const response: AuditEvent = { event: 'RESPONSE', ...call, message: event.result.result.text.slice(0, RESPONSE_CHARS) };
        if (isDeduplicated(event.result.result)) {
          const message = `the server had already done this with idempotency key ${event.step.idempotencyKey}; nothing was sent again`;
          return [response, { event: 'DEDUPLICATED', ...call, status: 'deduplicated', duration_ms: event.durationMs, message }];
        }
        return [response, { event: 'SUCCESS', ...call, status: 'success', duration_ms: event.durationMs }];
      }
      const { error } = event.result;
      return [
        {
          event: event.retrying ? 'RETRY' : 'FAILED',
          ...call,
          status: event.retrying ? 'retrying' : 'failed',
          error_type: error.type,
          duration_ms: event.durationMs,
          message: error.message,
        },
      ];
    }
    case 'deferred':
      if (event.resumed) return [];
      return [
        {
          event: 'DEFERRED',
          ...plan,
          status: 'deferred',
          ...(event.error ? { error_type: event.error.type } : {}),
          message: `waits until ${event.retryAt.toISOString()}: ${event.reason}`,
        },
      ];
    case 'plan_ended': {
      const { outcome } = event;
      switch (outcome.kind) {
        case 'completed':
          return [{ event: 'DONE', ...plan, status: 'completed' }];
        case 'failed':
          return [
            {
              event: 'FAILED',
              ...plan,
              status: outcome.problems ? 'invalid' : 'failed',
              error_type: outcome.cause?.error.type ?? 'validation',
              message: outcome.reason,
            },
          ];
        case 'needs_review':
          return [
            { event: 'REVIEW', ...plan, status: 'needs_review', ...(outcome.cause ? { error_type: outcome.cause.error.type } : {}), message: outcome.reason },
          ];
        default:
          unreachable(outcome, 'plan end');
      }
    }
    case 'plan_moved':
      return [{ event: 'AUDIT', ...plan, file: event.plan.claim, status: event.folder, message: `moved to ${event.path}` }];
    case 'released':
      return [
        {
          event: 'AUDIT',
          ...plan,
          file: event.plan.claim,
          status: 'released',
          message: event.retryAt ? `waits in In_Progress/: ${event.reason}` : `left in In_Progress/ for the next start: ${event.reason}`,
        },
      ];
    case 'queued':
    case 'step_ended':
      return [];
    default:
      unreachable(event, 'plan event');
  }
}

function planFields(ref: PlanRef): Pick<AuditEvent, 'plan' | 'approved_by'> {
  return { plan: ref.id, ...(ref.approvedBy !== undefined ? { approved_by: ref.approvedBy } : {}) };
}

function callFields(plan: Pick<AuditEvent, 'plan' | 'approved_by'>, step: ResolvedStep, attempt: number) {
  return {
    plan: plan.plan,
    step: step.index,
    server: step.server,
    tool: step.tool,
    ...(step.action !== undefined ? { action: step.action } : {}),
    attempt,
    ...(plan.approved_by ? { approved_by: plan.approved_by } : {}),
  };
}
