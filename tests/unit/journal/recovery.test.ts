import { describe, expect, it } from 'vitest';
import { decideRecovery, type PlanLocation } from '../../../src/journal/decide-recovery.js';
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

function decide(records: JournalRecord[], where: PlanLocation = 'In_Progress') {
  const state = recoverState(records).get(C);
  if (!state) throw new Error('no state');
  const decision = decideRecovery(state, where);
  // What the runner carries over, as it reads it: the steps never sent again.
  return 'carried' in decision ? { ...decision, skipSteps: [...decision.carried.keys()] } : decision;
}

function failedSteps(records: JournalRecord[]): number[] {
  return [...(recoverState(records).get(C)?.failed.keys() ?? [])];
}

describe('recovery after a crash at each point', () => {
  it('after the claim, before any call: resume from the start', () => {
    expect(decide([claimed])).toMatchObject({ kind: 'resume', skipSteps: [] });
    expect(failedSteps([claimed])).toEqual([]);
  });

  it('after an intent of an idempotent step: re-send that step with the same key', () => {
    const decision = decide([claimed, intent(1, true), outcome(1, 'succeeded'), intent(2, true)]);
    expect(decision).toMatchObject({ kind: 'retry_in_flight', skipSteps: [1], steps: [{ step: 2, key: 'P:2:x', cause: 'no_outcome' }] });
  });

  it('after an intent of a non-idempotent step: needs review, nothing re-sent', () => {
    const decision = decide([claimed, intent(1, false)]);
    expect(decision).toMatchObject({ kind: 'needs_review', step: 1, key: 'P:1:x' });
    if (decision.kind === 'needs_review') expect(decision.reason).toMatch(/not idempotent/);
  });

  it('after an ambiguous outcome: review if not idempotent, retry if idempotent', () => {
    expect(decide([claimed, intent(1, false), outcome(1, 'ambiguous')])).toMatchObject({ kind: 'needs_review', step: 1 });
    expect(decide([claimed, intent(1, true), outcome(1, 'ambiguous')])).toMatchObject({
      kind: 'retry_in_flight', steps: [{ step: 1, cause: 'ambiguous', idempotent: true }],
    });
  });

  it('after a succeeded outcome: resume, skipping it, with its result for templates', () => {
    const decision = decide([claimed, intent(1, false), outcome(1, 'succeeded')]);
    expect(decision).toMatchObject({ kind: 'resume', skipSteps: [1] });
    if (decision.kind === 'resume') expect(decision.carried.get(1)).toEqual({ text: 'result 1', structured: { id: 1 } });
  });

  it('after a failed outcome: resume; the failed step may run again', () => {
    expect(decide([claimed, intent(1, false), outcome(1, 'failed')])).toMatchObject({ kind: 'resume', skipSteps: [] });
    expect(failedSteps([claimed, intent(1, false), outcome(1, 'failed')])).toEqual([1]);
  });

  it('after a retry succeeded, an older attempt’s failure changes nothing', () => {
    const records = [claimed, intent(1, false), outcome(1, 'failed'), intent(1, false, 2), outcome(1, 'succeeded', 2), outcome(1, 'failed')];
    expect(decide(records)).toMatchObject({ kind: 'resume', skipSteps: [1] });
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

  it('after the rename into the final folder: forget', () => {
    expect(decide([claimed, intent(1, false), outcome(1, 'succeeded'), finalized], 'Done')).toMatchObject({ kind: 'forget' });
    expect(decide([claimed, finalized], 'missing')).toMatchObject({ kind: 'forget' });
  });

  it('an unfinished plan whose file vanished is reported, not resumed', () => {
    expect(decide([claimed, intent(1, true)], 'missing')).toMatchObject({ kind: 'missing' });
  });

  it('moved back to Approved: claimed anew if nothing was sent, reviewed if something was', () => {
    expect(decide([claimed], 'Approved')).toMatchObject({ kind: 'forget' });
    expect(decide([claimed, intent(1, true), outcome(1, 'succeeded')], 'Approved')).toMatchObject({ kind: 'needs_review', step: 1 });
  });

  it('a later claim of the same name starts afresh', () => {
    const again: JournalRecord = { ...claimed, plan: 'Q', hash: 'h2' };
    const state = recoverState([claimed, intent(1, false), outcome(1, 'succeeded'), finalized, again]).get(C);
    expect(state).toMatchObject({ plan: 'Q', hash: 'h2' });
    expect(state?.finalized).toBeUndefined();
    expect(state?.completed.size).toBe(0);
  });

  it('keeps claims apart', () => {
    const other: JournalRecord = { ...claimed, claim: 'other.md' };
    const states = recoverState([claimed, other, intent(1, false), { ...finalized, claim: 'other.md' }]);
    expect(decideRecovery(states.get(C)!, 'In_Progress').kind).toBe('needs_review');
    expect(decideRecovery(states.get('other.md')!, 'In_Progress').kind).toBe('finalize');
  });
});
