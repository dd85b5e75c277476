/**
 * The executor reports every attempt through this interface; the audit log, the plan file and the
 * journal listen. Each hook is awaited, so a durable record is on disk before the call it announces.
 */
import type { ResolvedStep } from '../plan/validated.js';
import type { StepError } from './errors.js';
import type { StepOutcome, StepResult } from './outcome.js';

export interface AttemptStart {
  readonly step: ResolvedStep;
  readonly attempt: number;
  /** Arguments as sent: templates resolved, idempotency key added. */
  readonly args: Readonly<Record<string, unknown>>;
}

export interface AttemptEnd extends AttemptStart {
  readonly durationMs: number;
  readonly result: ({ readonly ok: true } & StepResult) | { readonly ok: false; readonly error: StepError };
  /** Another attempt follows within this call. */
  readonly retrying: boolean;
}

export interface ExecutionObserver {
  attemptStarting(event: AttemptStart): Promise<void>;
  attemptFinished(event: AttemptEnd): Promise<void>;
  stepFinished(step: ResolvedStep, outcome: StepOutcome): Promise<void>;
}

/** Calls each observer in order, waiting for each. */
export function combineObservers(...observers: ExecutionObserver[]): ExecutionObserver {
  return {
    async attemptStarting(event) {
      for (const observer of observers) await observer.attemptStarting(event);
    },
    async attemptFinished(event) {
      for (const observer of observers) await observer.attemptFinished(event);
    },
    async stepFinished(step, outcome) {
      for (const observer of observers) await observer.stepFinished(step, outcome);
    },
  };
}
