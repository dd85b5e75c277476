import { type ErrorType, unreachable } from '../core/errors.js';
import type { StepResult } from '../events/step-result.js';
import type { FinalFolder } from '../vault/folders.js';
import type { JournalRecord, OutcomeRecord } from './records.js';

/** Which attempt of which step a record speaks of. */
interface AttemptRef {
  readonly step: number;
  readonly key: string;
  readonly attempt: number;
}

export interface CompletedStep extends AttemptRef {
  readonly at: string;
  /** Exactly what later steps' templates saw before the restart, flags included. */
  readonly result: StepResult;
}

export interface FailedStep extends AttemptRef {
  readonly errorType?: ErrorType;
  readonly text?: string;
  readonly at: string;
}

/** A step whose latest attempt has no known outcome: sent (or about to be) when the daemon stopped. */
export interface UnresolvedStep extends AttemptRef {
  /** From the intent record; false when that record is missing (the safe assumption). */
  readonly idempotent: boolean;
  /** `no_outcome`: intent without outcome (crash mid-call); `ambiguous`: recorded as unknown. */
  readonly cause: 'no_outcome' | 'ambiguous';
}

export interface ClaimState {
  /** The approval (the journal's key). */
  readonly claim: string;
  /** Its file's name in In_Progress/ at the latest claim. */
  readonly name: string;
  /** From the latest `claimed` record; absent if that record was lost. */
  readonly plan?: string;
  readonly approvedBy?: string;
  readonly file?: string;
  readonly hash?: string;
  readonly claimedAt?: string;
  /** Time of the newest record: how long the state has been kept. */
  readonly lastAt: string;
  /** Succeeded steps by step number: never to be sent again. */
  readonly completed: ReadonlyMap<number, CompletedStep>;
  /** Steps whose latest attempt failed with a known outcome. */
  readonly failed: ReadonlyMap<number, FailedStep>;
  readonly inFlight: ReadonlyMap<number, UnresolvedStep>;
  /** The latest deferral, unless steps ran after it. */
  readonly deferral?: { readonly retryAt: string; readonly reason: string; readonly at: string };
  readonly finalized?: { readonly folder: FinalFolder; readonly file: string; readonly at: string };
  /** What was sent before some claim is not known (the journal had been lost): for good. */
  readonly forgotten?: true;
}

type Draft = { -readonly [K in keyof ClaimState]: ClaimState[K] } & {
  completed: Map<number, CompletedStep>;
  failed: Map<number, FailedStep>;
  inFlight: Map<number, UnresolvedStep>;
};

/** Claim states by approval, folded record by record (the daemon keeps one up to date as it writes). */
export type ClaimStates = Map<string, ClaimState>;

/**
 * Folds journal records into one state per approval. 'Succeeded' is sticky: once any attempt of a step
 * succeeded, no later record can make it pending again. A `claimed` record of an approval already known
 * is a re-approval (the file moved back): what was sent stays; the claim, deferral and end start afresh.
 * In journals from before approvals the key was the file name, reused by later plans: there a `claimed`
 * record (one without `name`) starts a fresh state. Pure.
 */
export function recoverState(records: readonly JournalRecord[]): ClaimStates {
  const states: ClaimStates = new Map();
  for (const record of records) applyRecord(states, record);
  return states;
}

/** Applies one record to `states` in place. */
export function applyRecord(states: ClaimStates, record: JournalRecord): void {
  const known = states.get(record.claim) as Draft | undefined;
  const draft: Draft = known ?? {
    claim: record.claim,
    name: record.claim,
    lastAt: record.at,
    completed: new Map(),
    failed: new Map(),
    inFlight: new Map(),
  };
  states.set(record.claim, draft);
  draft.lastAt = record.at;
  switch (record.type) {
    case 'claimed': {
      const fresh = known === undefined || record.name === undefined;
      if (fresh) {
        draft.completed = new Map();
        draft.failed = new Map();
        draft.inFlight = new Map();
      }
      draft.name = record.name ?? record.claim;
      draft.plan = record.plan;
      if (record.approved_by !== undefined) draft.approvedBy = record.approved_by;
      else delete draft.approvedBy;
      draft.file = record.file;
      draft.hash = record.hash;
      draft.claimedAt = record.at;
      if (record.forgotten) draft.forgotten = true;
      delete draft.deferral;
      delete draft.finalized;
      return;
    }
    case 'intent':
      delete draft.deferral; // work resumed after the deferral
      if (draft.completed.has(record.step)) return;
      draft.failed.delete(record.step);
      draft.inFlight.set(record.step, { ...refOf(record), idempotent: record.idempotent, cause: 'no_outcome' });
      return;
    case 'outcome':
      return applyOutcome(draft, record);
    case 'deferred':
      draft.deferral = { retryAt: record.retry_at, reason: record.reason, at: record.at };
      return;
    case 'finalized':
      draft.finalized = { folder: record.folder, file: record.file, at: record.at };
      return;
    default:
      return unreachable(record, 'journal record');
  }
}

function applyOutcome(draft: Draft, record: OutcomeRecord): void {
  delete draft.deferral;
  const { step } = record;
  if (draft.completed.has(step)) return;
  const pending = draft.inFlight.get(step);
  if (record.status === 'succeeded') {
    draft.completed.set(step, { ...refOf(record), at: record.at, result: resultOf(record) });
    draft.inFlight.delete(step);
    draft.failed.delete(step);
    return;
  }
  if (pending && pending.attempt > record.attempt) return; // a newer attempt is still unresolved
  if (record.status === 'ambiguous') {
    const idempotent = pending?.attempt === record.attempt ? pending.idempotent : false;
    draft.inFlight.set(step, { ...refOf(record), idempotent, cause: 'ambiguous' });
    return;
  }
  draft.inFlight.delete(step);
  draft.failed.set(step, {
    ...refOf(record),
    at: record.at,
    ...(record.error_type !== undefined && { errorType: record.error_type }),
    ...(record.text !== undefined && { text: record.text }),
  });
}

function refOf(record: AttemptRef): AttemptRef {
  return { step: record.step, key: record.key, attempt: record.attempt };
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
