/** What happened to a step and to a plan: the lifecycles as discriminated unions. */
import type { ResolvedStep } from '../plan/validated.js';
import type { StepError } from './errors.js';

/** A successful call's result, as templates and the journal keep it. */
export interface StepResult {
  readonly text: string;
  readonly structured?: unknown;
}

export type StepOutcome =
  | ({ readonly kind: 'succeeded'; readonly attempts: number } & StepResult)
  | { readonly kind: 'failed'; readonly error: StepError; readonly attempts: number }
  | { readonly kind: 'deferred'; readonly error: StepError; readonly retryAt: Date; readonly attempts: number }
  | { readonly kind: 'needs_review'; readonly error: StepError; readonly attempts: number }
  /** Not started: a dependency did not succeed, or the plan was stopping. */
  | { readonly kind: 'not_run'; readonly reason: string };

export type PlanOutcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'failed'; readonly step: ResolvedStep; readonly error: StepError }
  | { readonly kind: 'needs_review'; readonly step: ResolvedStep; readonly error: StepError }
  | { readonly kind: 'deferred'; readonly step: ResolvedStep; readonly error: StepError; readonly retryAt: Date }
  /** Shutdown began before every step ran; the plan resumes on the next start. */
  | { readonly kind: 'interrupted' };

export interface PlanReport {
  readonly outcome: PlanOutcome;
  readonly steps: ReadonlyMap<string, StepOutcome>;
}

/** Worst first: when several steps end badly in a parallel plan, the plan takes the most serious end. */
const SEVERITY: Record<PlanOutcome['kind'], number> = {
  needs_review: 4,
  failed: 3,
  deferred: 2,
  interrupted: 1,
  completed: 0,
};

export function worseOf(a: PlanOutcome, b: PlanOutcome): PlanOutcome {
  return SEVERITY[b.kind] > SEVERITY[a.kind] ? b : a;
}

/** The plan-level outcome a step's end implies, if it stops the plan. */
export function planOutcomeOf(step: ResolvedStep, outcome: StepOutcome): PlanOutcome | undefined {
  switch (outcome.kind) {
    case 'succeeded':
    case 'not_run':
      return undefined;
    case 'failed':
      return { kind: 'failed', step, error: outcome.error };
    case 'needs_review':
      return { kind: 'needs_review', step, error: outcome.error };
    case 'deferred':
      return { kind: 'deferred', step, error: outcome.error, retryAt: outcome.retryAt };
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown step outcome ${JSON.stringify(unreachable)}`);
    }
  }
}
