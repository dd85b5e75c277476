import type { ErrorType } from '../core/errors.js';
import type { StepResult } from '../events/step-result.js';
import type { FinalFolder, JournalRecord, OutcomeRecord } from './records.js';

export interface CompletedStep {
  readonly step: number;
  readonly key: string;
  readonly attempt: number;
  readonly at: string;
  /** Exactly what later steps' templates saw before the restart, flags included. */
  readonly result: StepResult;
}

export interface FailedStep {
  readonly step: number;
  readonly key: string;
  readonly attempt: number;
  readonly errorType?: ErrorType;
  readonly text?: string;
  readonly at: string;
}

/** A step whose latest attempt has no known outcome: sent (or about to be) when the daemon stopped. */
export interface UnresolvedStep {
  readonly step: number;
  readonly key: string;
  readonly attempt: number;
  /** From the intent record; false when that record is missing (the safe assumption). */
  readonly idempotent: boolean;
  /** `no_outcome`: intent without outcome (crash mid-call); `ambiguous`: recorded as unknown. */
  readonly cause: 'no_outcome' | 'ambiguous';
}

export interface ClaimState {
  readonly claim: string;
  /** From the latest `claimed` record; absent if that record was lost. */
  readonly plan?: string;
  readonly approvedBy?: string;
  readonly file?: string;
  readonly hash?: string;
  readonly claimedAt?: string;
  /** Succeeded steps by step number: never to be sent again. */
  readonly completed: ReadonlyMap<number, CompletedStep>;
  /** Steps whose latest attempt failed with a known outcome. */
  readonly failed: ReadonlyMap<number, FailedStep>;
  readonly inFlight: ReadonlyMap<number, UnresolvedStep>;
  /** The latest deferral, unless steps ran after it. */
  readonly deferral?: { readonly retryAt: string; readonly reason: string; readonly at: string };
  readonly finalized?: { readonly folder: FinalFolder; readonly file: string; readonly at: string };
}

interface Draft {
  claim: string;
  plan?: string;
  approvedBy?: string;
  file?: string;
  hash?: string;
  claimedAt?: string;
  completed: Map<number, CompletedStep>;
  failed: Map<number, FailedStep>;
  inFlight: Map<number, UnresolvedStep>;
  deferral?: ClaimState['deferral'];
  finalized?: ClaimState['finalized'];
}

/**
 * Folds journal records into one state per claim. A `claimed` record starts a fresh state for its claim
 * (the name was reused by a later plan). 'Succeeded' is sticky: once any attempt of a step succeeded, no
 * later record can make it pending again. Pure.
 */
export function recoverState(records: readonly JournalRecord[]): Map<string, ClaimState> {
  const states = new Map<string, Draft>();
  const draftFor = (claim: string): Draft => {
    let draft = states.get(claim);
    if (!draft) {
      draft = { claim, completed: new Map(), failed: new Map(), inFlight: new Map() };
      states.set(claim, draft);
    }
    return draft;
  };
  for (const record of records) {
    switch (record.type) {
      case 'claimed':
        states.set(record.claim, {
          claim: record.claim,
          plan: record.plan,
          ...(record.approved_by !== undefined && { approvedBy: record.approved_by }),
          file: record.file,
          hash: record.hash,
          claimedAt: record.at,
          completed: new Map(),
          failed: new Map(),
          inFlight: new Map(),
        });
        break;
      case 'intent': {
        const draft = draftFor(record.claim);
        draft.deferral = undefined; // work resumed after the deferral
        if (draft.completed.has(record.step)) break;
        draft.failed.delete(record.step);
        draft.inFlight.set(record.step, {
          step: record.step,
          key: record.key,
          attempt: record.attempt,
          idempotent: record.idempotent,
          cause: 'no_outcome',
        });
        break;
      }
      case 'outcome':
        applyOutcome(draftFor(record.claim), record);
        break;
      case 'deferred':
        draftFor(record.claim).deferral = { retryAt: record.retry_at, reason: record.reason, at: record.at };
        break;
      case 'finalized':
        draftFor(record.claim).finalized = { folder: record.folder, file: record.file, at: record.at };
        break;
      default:
        return assertNever(record);
    }
  }
  return new Map(states);
}

function applyOutcome(draft: Draft, record: OutcomeRecord): void {
  draft.deferral = undefined;
  const { step } = record;
  if (draft.completed.has(step)) return;
  const pending = draft.inFlight.get(step);
  if (record.status === 'succeeded') {
    draft.completed.set(step, {
      step,
      key: record.key,
      attempt: record.attempt,
      at: record.at,
      result: resultOf(record),
    });
    draft.inFlight.delete(step);
    draft.failed.delete(step);
    return;
  }
  if (pending && pending.attempt > record.attempt) return; // a newer attempt is still unresolved
  if (record.status === 'ambiguous') {
    draft.inFlight.set(step, {
      step,
      key: record.key,
      attempt: record.attempt,
      idempotent: pending?.attempt === record.attempt ? pending.idempotent : false,
      cause: 'ambiguous',
    });
    return;
  }
  draft.inFlight.delete(step);
  draft.failed.set(step, {
    step,
    key: record.key,
    attempt: record.attempt,
    at: record.at,
    ...(record.error_type !== undefined && { errorType: record.error_type }),
    ...(record.text !== undefined && { text: record.text }),
  });
}

/** The result an outcome record carries, as the run had it. */
export function resultOf(record: OutcomeRecord): StepResult {
  return {
    text: record.text ?? '',
    ...(record.structured !== undefined && { structured: record.structured }),
    ...(record.text_truncated && { textCut: true as const }),
    ...(record.structured_dropped && { structuredCut: true as const }),
  };
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value ${JSON.stringify(value)}: a journal bug.`);
}
