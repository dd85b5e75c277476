import type { StepResult } from '../events/step-result.js';
import type { FinalFolder } from './records.js';
import { assertNever, type ClaimState, type UnresolvedStep } from './recover.js';

/** Where the daemon found the claimed plan file at start (`missing`: in none of these folders). */
export type PlanLocation = 'In_Progress' | FinalFolder | 'Approved' | 'missing';

/**
 * What carries over into a continued run: the succeeded steps by index, with their results exactly as
 * recorded (cut flags included). The run ticks them, never sends them again, and feeds their results to
 * templates. Steps whose latest attempt failed with a known outcome are simply run again.
 */
export interface Continuation {
  readonly carried: ReadonlyMap<number, StepResult>;
}

export type RecoveryDecision =
  /** Continue the plan in In_Progress: run every step not in skipSteps. */
  | ({ readonly kind: 'resume' } & Continuation)
  /** Like resume; `steps` were in flight, all idempotent: re-send each with the same `key`. */
  | ({ readonly kind: 'retry_in_flight'; readonly steps: readonly UnresolvedStep[] } & Continuation)
  /** Wait until retryAt, then resume (unresolved idempotent steps included, as for retry_in_flight). */
  | ({ readonly kind: 'deferred'; readonly retryAt: string; readonly reason: string; readonly retrySteps: readonly UnresolvedStep[] } & Continuation)
  /** Move the plan to Needs_Review/ without calling anything: a human must check `step`. */
  | { readonly kind: 'needs_review'; readonly step: number; readonly key: string; readonly reason: string }
  /** The journal says finalized but the file is still in In_Progress/: redo the move to `folder`. */
  | { readonly kind: 'finalize'; readonly folder: FinalFolder }
  /** Nothing to do (already in a final folder, or the claim never took effect): drop the state. */
  | { readonly kind: 'forget'; readonly reason: string }
  /** The unfinished plan's file is gone: alert a human, drop the state. */
  | { readonly kind: 'missing'; readonly reason: string };

/**
 * What the daemon should do with one claim after a restart, given its journal state and where its file
 * is. Guarantees (SPEC §9.3, §9.4): no decision lets a succeeded step run again, and an unresolved
 * non-idempotent step always yields needs_review. Pure.
 */
export function decideRecovery(state: ClaimState, filePresentIn: PlanLocation): RecoveryDecision {
  const unresolved = [...state.inFlight.values()].sort((a, b) => a.step - b.step);
  switch (filePresentIn) {
    case 'Done':
    case 'Failed':
    case 'Needs_Review':
      return { kind: 'forget', reason: `already in ${filePresentIn}/` };
    case 'missing':
      return state.finalized
        ? { kind: 'forget', reason: `finalized to ${state.finalized.folder}/ and moved on since` }
        : { kind: 'missing', reason: `the unfinished plan ${state.claim} is no longer in In_Progress/` };
    case 'Approved':
      return decideMovedBack(state, unresolved);
    case 'In_Progress':
      return decideInProgress(state, unresolved);
    default:
      return assertNever(filePresentIn);
  }
}

function decideInProgress(state: ClaimState, unresolved: UnresolvedStep[]): RecoveryDecision {
  if (state.finalized) return { kind: 'finalize', folder: state.finalized.folder };
  const unsafe = unresolved.find((step) => !step.idempotent);
  if (unsafe) {
    return { kind: 'needs_review', step: unsafe.step, key: unsafe.key, reason: unknownOutcome(unsafe) };
  }
  const continuation = continuationOf(state);
  if (state.deferral) {
    return { kind: 'deferred', retryAt: state.deferral.retryAt, reason: state.deferral.reason, retrySteps: unresolved, ...continuation };
  }
  if (unresolved.length > 0) return { kind: 'retry_in_flight', steps: unresolved, ...continuation };
  return { kind: 'resume', ...continuation };
}

/**
 * A human moved the unfinished plan back to Approved/ while the daemon was down. If nothing was sent it
 * is simply claimed anew. If steps were sent, the file may lack their ticks (a crash between the outcome
 * and the tick), so claiming it anew could re-send them: a human must check.
 */
function decideMovedBack(state: ClaimState, unresolved: UnresolvedStep[]): RecoveryDecision {
  if (state.finalized) return { kind: 'forget', reason: 're-approved after it was finalized' };
  const sent = [...state.completed.keys(), ...unresolved.map((step) => step.step)].sort((a, b) => a - b);
  const first = sent[0];
  if (first === undefined) return { kind: 'forget', reason: 'moved back to Approved/ before any step was sent' };
  const key = state.completed.get(first)?.key ?? unresolved.find((step) => step.step === first)?.key ?? '';
  return {
    kind: 'needs_review',
    step: first,
    key,
    reason: `moved back to Approved/ after step(s) ${sent.join(', ')} were sent; check them before re-approving`,
  };
}

function continuationOf(state: ClaimState): Continuation {
  const steps = [...state.completed.values()].sort((a, b) => a.step - b.step);
  return { carried: new Map(steps.map((done) => [done.step, done.result])) };
}

function unknownOutcome(step: UnresolvedStep): string {
  return step.cause === 'ambiguous'
    ? `step ${step.step}'s outcome is unknown (attempt ${step.attempt}) and its action is not idempotent`
    : `the daemon stopped while step ${step.step} (attempt ${step.attempt}) was being sent; its action is not idempotent`;
}
