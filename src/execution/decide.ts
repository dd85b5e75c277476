/**
 * What to do after an attempt failed (SPEC §7). Pure: the classified error, whether the action may be
 * repeated, and the clock are all it looks at.
 */
import { AuthorizationNeeded, isUnknownOutcome, StepError, unreachable } from '../core/errors.js';
import { approvedActionProblem, planPolicyProblems } from '../plan/policy.js';
import type { Plan } from '../plan/types.js';
import type { ResolvedStep } from '../plan/validated.js';

/**
 * The approval's policy, asked before EVERY attempt (first, retries, and after a resume): not rejected
 * or draft, not expired, the step's action in `approved_actions`. An approval that lapses during a
 * step's retries stops there: the attempt is not sent, and the step fails with the reason (a
 * `validation` error: nothing was sent, nothing to retry). The same rules as validation (plan/policy.ts),
 * judged at `now`.
 */
export function refusalBeforeAttempt(plan: Plan, step: ResolvedStep, attempt: number, now: Date): StepError | undefined {
  const problem =
    planPolicyProblems(plan, now)[0] ?? approvedActionProblem(plan, step.action ?? `${step.server}.${step.tool}`, step.index);
  if (problem === undefined) return undefined;
  const which = attempt === 1 ? 'its first attempt' : `attempt ${attempt}`;
  return new StepError('validation', `${problem.message}; ${which} was not sent`, false);
}

/** May this failure be retried within the step's in-call budget? */
export function isRetryable(error: StepError, idempotent: boolean): boolean {
  switch (error.type) {
    case 'validation':
    case 'authentication':
    case 'tool_error':
      return false;
    case 'rate_limit':
    case 'server_error':
      return true;
    case 'timeout':
    case 'connection':
      // Before sending they are plainly transient; after sending the outcome is unknown.
      return !error.sent || idempotent;
    case 'ambiguous':
      return idempotent;
    default:
      unreachable(error.type, 'error type');
  }
}

/** How a step ends once it will not be retried any more in this call. */
type StepDisposition =
  | { readonly kind: 'failed' }
  /** Try the whole plan again later (rate limited, or the server could not be reached). */
  | { readonly kind: 'deferred'; readonly retryAt: Date }
  /** The outcome is unknown and the action may not be repeated: a human must check. */
  | { readonly kind: 'needs_review' };

interface DispositionContext {
  readonly idempotent: boolean;
  readonly now: Date;
  /** Wait before a deferred plan is tried again when the server gave no Retry-After. */
  readonly deferDelayMs: number;
}

export function dispositionAfter(error: StepError, context: DispositionContext): StepDisposition {
  if (isUnknownOutcome(error) && !context.idempotent) return { kind: 'needs_review' };
  const deferred = (waitMs = context.deferDelayMs): StepDisposition => ({ kind: 'deferred', retryAt: new Date(context.now.getTime() + waitMs) });
  switch (error.type) {
    case 'rate_limit':
      return deferred(error.retryAfterMs);
    case 'connection':
    case 'timeout':
      // Never sent: the server is unavailable, so try the plan again later instead of failing it.
      return error.sent ? { kind: 'failed' } : deferred();
    case 'authentication':
      // An authorization only a person can give again (`auth <server>`): wait for it, do not fail.
      return error instanceof AuthorizationNeeded ? deferred() : { kind: 'failed' };
    case 'validation':
    case 'server_error':
    case 'tool_error':
    case 'ambiguous':
      return { kind: 'failed' };
    default:
      unreachable(error.type, 'error type');
  }
}
