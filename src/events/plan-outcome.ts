/** How a plan's run ends, and what that means for its file and its folder. Pure. */
import { HeldBackError, type StepError } from '../core/errors.js';
import type { PlanProblem } from '../plan/types.js';
import type { ResolvedStep } from '../plan/validated.js';

/** The step whose end decided the plan's. */
export interface StepCause {
  readonly step: ResolvedStep;
  readonly error: StepError;
}

export type PlanOutcome =
  | { readonly kind: 'completed' }
  /** `reason` is the one line written into the plan's `error:` field. */
  /** `cancelled`: stopped on request (`cancel_plan`); its file says `status: cancelled`. */
  | {
      readonly kind: 'failed';
      readonly reason: string;
      readonly cause?: StepCause;
      readonly problems?: readonly PlanProblem[];
      readonly cancelled?: true;
    }
  | { readonly kind: 'needs_review'; readonly reason: string; readonly cause?: StepCause }
  | { readonly kind: 'deferred'; readonly reason: string; readonly retryAt: Date; readonly cause?: StepCause }
  /** Shutdown began before every step ran; the plan resumes on the next start. */
  | { readonly kind: 'interrupted' };

/** The ends that put a plan into a final folder. */
export type FinalOutcome = Extract<PlanOutcome, { kind: 'completed' | 'failed' | 'needs_review' }>;

/** Worst first: when several steps end badly in a parallel plan, the plan takes the most serious end. */
const SEVERITY: Readonly<Record<PlanOutcome['kind'], number>> = {
  needs_review: 4,
  failed: 3,
  deferred: 2,
  interrupted: 1,
  completed: 0,
};

export function worseOf(a: PlanOutcome, b: PlanOutcome): PlanOutcome {
  return SEVERITY[b.kind] > SEVERITY[a.kind] ? b : a;
}

/** `step 2 email-server.send_email: timeout: …`: what the plan's `error:` field says about a step. */
export function stepReason(step: ResolvedStep, error: StepError): string {
  return `step ${step.index} ${step.server}.${step.tool}: ${error.type}: ${error.message}`;
}

/** Only our own rate limit held the plan back: it waits for the slot, however long, never gives up. */
export function waitsPatiently(outcome: PlanOutcome): boolean {
  return outcome.kind === 'deferred' && outcome.cause?.error instanceof HeldBackError && outcome.cause.error.reason === 'rate_limit';
}
