/**
 * What the daemon does with an approval the journal knows, decided from its journal state alone (pure).
 * Guarantees (SPEC §9.3, §9.4): a succeeded step is carried, never sent again; a step whose outcome is
 * unknown is handed on as unresolved, for the run to re-send only when it is idempotent (or a human
 * ticked it) and to send the plan to review otherwise.
 */
import type { StepResult } from '../events/step-result.js';
import type { FinalFolder } from '../vault/folders.js';
import type { ClaimState, UnresolvedStep } from './recover.js';

/** A succeeded step as a later run takes it over: skipped if it is still the same step (same key). */
export interface CarriedStep {
  readonly key: string;
  readonly result: StepResult;
}

/** What carries over into a continued run, by step index. */
export interface Continuation {
  readonly carried: ReadonlyMap<number, CarriedStep>;
  /** Sent (or about to be) with no known outcome: re-sent only if idempotent or ticked by a human. */
  readonly unresolved: readonly UnresolvedStep[];
  /** The journal once lost what was sent: any step still to run may have gone out already. */
  readonly forgotten?: true;
}

/** A plan found in In_Progress/ at start. */
type ResumeDecision =
  /** The journal says it ended but the file is still in In_Progress/: redo the move. */
  | { readonly kind: 'finalize'; readonly folder: FinalFolder }
  /** Wait until retryAt, then continue. */
  | { readonly kind: 'deferred'; readonly retryAt: string; readonly reason: string; readonly continuation: Continuation }
  | { readonly kind: 'resume'; readonly continuation: Continuation };

export function decideResume(state: ClaimState): ResumeDecision {
  if (state.finalized) return { kind: 'finalize', folder: state.finalized.folder };
  const continuation = continuationOf(state);
  if (state.deferral) return { kind: 'deferred', retryAt: state.deferral.retryAt, reason: state.deferral.reason, continuation };
  return { kind: 'resume', continuation };
}

/** A file that carries an approval's stamp lands in Approved/ (a human moved it back, or a copy). */
type ReapprovalDecision =
  /** A deliberate new run (a plan that had completed): stamp it anew, fresh keys. */
  | { readonly kind: 'new_approval' }
  /** The same approval again: continue from what the journal knows. */
  | { readonly kind: 'continue'; readonly continuation: Continuation }
  /** The journal no longer knows which step's outcome was unknown: a human must look. */
  | { readonly kind: 'needs_review'; readonly reason: string };

/**
 * `status`: the file's own `status:` (the daemon wrote it as the plan went). When the journal does not
 * know the approval (it was lost, or forgot it after daemon.journalRetention), the status says whether
 * anything may have been sent without a known outcome: a plan that was running or waiting, or needed
 * review, goes to review; one that ended with known outcomes continues by its ticks.
 */
export function decideReapproval(state: ClaimState | undefined, status: string | undefined): ReapprovalDecision {
  const said = status?.toLowerCase();
  if (state === undefined) {
    if (said === 'completed') return { kind: 'new_approval' };
    if (said === 'in_progress' || said === 'deferred' || said === 'needs_review') {
      return {
        kind: 'needs_review',
        reason:
          `it was ${said === 'needs_review' ? 'waiting for review' : 'running'} and the journal does not remember what was sent for it ` +
          '(the journal was lost, or forgot it after daemon.journalRetention); check which steps went out, tick [x] those, ' +
          'and remove the approval_id line to run the rest as a new approval',
      };
    }
    return { kind: 'continue', continuation: { carried: new Map(), unresolved: [] } };
  }
  const completed = said === 'completed';
  if (completed && state.finalized?.folder === 'Done') return { kind: 'new_approval' };
  return { kind: 'continue', continuation: continuationOf(state) };
}

export function continuationOf(state: ClaimState): Continuation {
  const done = [...state.completed.values()].sort((a, b) => a.step - b.step);
  return {
    carried: new Map(done.map((step) => [step.step, { key: step.key, result: step.result }])),
    unresolved: [...state.inFlight.values()].sort((a, b) => a.step - b.step),
    ...(state.forgotten && { forgotten: true as const }),
  };
}
