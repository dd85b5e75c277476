import { describe, expect, it } from 'vitest';
import { decideReapproval, decideResume } from '../../../src/journal/decide-recovery.js';
import { recoverState } from '../../../src/journal/recover.js';
import type { JournalRecord } from '../../../src/journal/records.js';

const at = '2026-02-16T14:20:30.000Z';
const C = '20260216-Plan.md';
const claimed: JournalRecord = { type: 'claimed', claim: C, plan: 'P', file: 'Plan.md', hash: 'h1', at };
const intent = (step: number, idempotent: boolean, attempt = 1): JournalRecord => ({
  type: 'intent', claim: C, step, key: `P:${step}:x`, attempt, idempotent, at,
});
const outcome = (step: number, status: 'succeeded' | 'failed' | 'ambiguous', attempt = 1): JournalRecord => ({
  type: 'outcome', claim: C, step, key: `P:${step}:x`, attempt, status, at,
  ...(status === 'succeeded' ? { text: `result ${step}`, structured: { id: step } } : { error_type: 'timeout' as const }),
});
const deferred: JournalRecord = { type: 'deferred', claim: C, retry_at: '2026-02-16T15:00:00.000Z', reason: 'rate_limit', at };
const finalized: JournalRecord = { type: 'finalized', claim: C, folder: 'Done', file: 'Plan.md', at };

/** What the daemon does with the plan found in In_Progress/ at start, as the runner reads it. */
function decide(records: JournalRecord[]) {
  const state = recoverState(records).get(C);
  if (!state) throw new Error('no state');
  const decision = decideResume(state);
  if (decision.kind === 'finalize') return decision;
  // Carried steps are never sent again; unresolved ones are re-sent only when idempotent (or ticked).
  return { ...decision, skipSteps: [...decision.continuation.carried.keys()], unresolved: decision.continuation.unresolved };
}

function failedSteps(records: JournalRecord[]): number[] {
  return [...(recoverState(records).get(C)?.failed.keys() ?? [])];
}

describe('recovery after a crash at each point', () => {
  it('after the claim, before any call: resume from the start', () => {
    expect(decide([claimed])).toMatchObject({ kind: 'resume', skipSteps: [], unresolved: [] });
    expect(failedSteps([claimed])).toEqual([]);
  });

  it('after an intent of an idempotent step: the step is handed on to be re-sent with the same key', () => {
    const decision = decide([claimed, intent(1, true), outcome(1, 'succeeded'), intent(2, true)]);
    expect(decision).toMatchObject({ kind: 'resume', skipSteps: [1], unresolved: [{ step: 2, key: 'P:2:x', cause: 'no_outcome', idempotent: true }] });
  });

  it('after an intent of a non-idempotent step: handed on as unknown and not idempotent (the run sends the plan to review)', () => {
    expect(decide([claimed, intent(1, false)])).toMatchObject({ kind: 'resume', skipSteps: [], unresolved: [{ step: 1, key: 'P:1:x', idempotent: false }] });
  });

  it('after an ambiguous outcome: unknown, idempotent or not as the intent said', () => {
    expect(decide([claimed, intent(1, false), outcome(1, 'ambiguous')])).toMatchObject({ unresolved: [{ step: 1, cause: 'ambiguous', idempotent: false }] });
    expect(decide([claimed, intent(1, true), outcome(1, 'ambiguous')])).toMatchObject({ unresolved: [{ step: 1, cause: 'ambiguous', idempotent: true }] });
  });

  it('after a succeeded outcome: resume, skipping it, with its key and its result for templates', () => {
    const decision = decideResume(recoverState([claimed, intent(1, false), outcome(1, 'succeeded')]).get(C)!);
    expect(decision).toMatchObject({ kind: 'resume' });
    if (decision.kind === 'resume') expect(decision.continuation.carried.get(1)).toEqual({ key: 'P:1:x', result: { text: 'result 1', structured: { id: 1 } } });
  });

  it('after a failed outcome: resume; the failed step may run again', () => {
    expect(decide([claimed, intent(1, false), outcome(1, 'failed')])).toMatchObject({ kind: 'resume', skipSteps: [], unresolved: [] });
    expect(failedSteps([claimed, intent(1, false), outcome(1, 'failed')])).toEqual([1]);
  });

  it('after a retry succeeded, an older attempt’s failure changes nothing', () => {
    const records = [claimed, intent(1, false), outcome(1, 'failed'), intent(1, false, 2), outcome(1, 'succeeded', 2), outcome(1, 'failed')];
    expect(decide(records)).toMatchObject({ kind: 'resume', skipSteps: [1], unresolved: [] });
    expect(failedSteps(records)).toEqual([]);
  });

  it('after a deferral: wait for retry_at; a step run after it cancels the deferral', () => {
    expect(decide([claimed, intent(1, true), outcome(1, 'failed'), deferred])).toMatchObject({
      kind: 'deferred', retryAt: '2026-02-16T15:00:00.000Z', reason: 'rate_limit',
    });
    expect(decide([claimed, deferred, intent(1, true), outcome(1, 'succeeded')])).toMatchObject({ kind: 'resume', skipSteps: [1] });
  });

  it('after finalize was journaled but before the rename: redo the move', () => {
    expect(decide([claimed, intent(1, false), outcome(1, 'succeeded'), finalized])).toEqual({ kind: 'finalize', folder: 'Done' });
  });

  it('an old journal (claims keyed by file name, no `name`): a later claim of the same name starts afresh', () => {
    const again: JournalRecord = { ...claimed, plan: 'Q', hash: 'h2' };
    const state = recoverState([claimed, intent(1, false), outcome(1, 'succeeded'), finalized, again]).get(C);
    expect(state).toMatchObject({ plan: 'Q', hash: 'h2' });
    expect(state?.finalized).toBeUndefined();
    expect(state?.completed.size).toBe(0);
  });

  it('a re-approval (a claim of an approval already known) keeps what was sent; its claim and end start afresh', () => {
    const stamped: JournalRecord = { ...claimed, name: 'Plan.md' };
    const again: JournalRecord = { ...stamped, name: 'Plan (2).md', hash: 'h2' };
    const state = recoverState([stamped, intent(1, false), outcome(1, 'succeeded'), intent(2, false), outcome(2, 'ambiguous'), finalized, again]).get(C);
    expect(state).toMatchObject({ name: 'Plan (2).md', hash: 'h2' });
    expect(state?.finalized).toBeUndefined();
    expect([...(state?.completed.keys() ?? [])]).toEqual([1]);
    expect([...(state?.inFlight.keys() ?? [])]).toEqual([2]);
  });

  it('keeps approvals apart', () => {
    const other: JournalRecord = { ...claimed, claim: 'other' };
    const states = recoverState([claimed, other, intent(1, false), { ...finalized, claim: 'other' }]);
    expect(decideResume(states.get(C)!)).toMatchObject({ kind: 'resume', continuation: { unresolved: [{ step: 1 }] } });
    expect(decideResume(states.get('other')!).kind).toBe('finalize');
  });
});

describe('a file with an approval stamp lands in Approved/', () => {
  const stateOf = (records: JournalRecord[]) => recoverState(records).get(C);

  it('a plan that completed and comes back completed is a deliberate new run: a new approval', () => {
    expect(decideReapproval(stateOf([claimed, intent(1, false), outcome(1, 'succeeded'), finalized]), 'completed')).toEqual({ kind: 'new_approval' });
    expect(decideReapproval(undefined, 'completed')).toEqual({ kind: 'new_approval' });
  });

  it('a copy made while it ran (its status not completed) continues: nothing is sent again', () => {
    const decision = decideReapproval(stateOf([claimed, intent(1, false), outcome(1, 'succeeded'), finalized]), 'in_progress');
    expect(decision).toMatchObject({ kind: 'continue' });
    if (decision.kind === 'continue') expect([...decision.continuation.carried.keys()]).toEqual([1]);
  });

  it('a failed or reviewed plan moved back continues from the journal: succeeded skipped, unknown outcomes handed on', () => {
    const records = [claimed, intent(1, false), outcome(1, 'succeeded'), intent(2, false), outcome(2, 'ambiguous'), { ...finalized, folder: 'Needs_Review' as const }];
    const decision = decideReapproval(stateOf(records), 'needs_review');
    expect(decision).toMatchObject({ kind: 'continue', continuation: { unresolved: [{ step: 2, idempotent: false }] } });
  });

  it('one the journal no longer knows: continued by its ticks if it ended; to review if it was running or needed review', () => {
    expect(decideReapproval(undefined, 'failed')).toMatchObject({ kind: 'continue', continuation: { unresolved: [] } });
    expect(decideReapproval(undefined, 'pending')).toMatchObject({ kind: 'continue' });
    for (const status of ['needs_review', 'in_progress', 'deferred']) expect(decideReapproval(undefined, status)).toMatchObject({ kind: 'needs_review' });
  });
});
