import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideReapproval, decideResume, type Continuation } from '../../../src/journal/decide-recovery.js';
import { recoverState } from '../../../src/journal/recover.js';
import type { JournalRecord } from '../../../src/journal/records.js';

const at = '2026-02-16T14:20:30.000Z';
const claims = ['a.md', 'b.md'] as const;
const claim = fc.constantFrom(...claims);
const step = fc.integer({ min: 1, max: 4 });
const attempt = fc.integer({ min: 1, max: 3 });

const record: fc.Arbitrary<JournalRecord> = fc.oneof(
  { weight: 1, arbitrary: claim.map((c): JournalRecord => ({ type: 'claimed', claim: c, plan: 'P', file: c, hash: 'h', at })) },
  {
    weight: 5,
    arbitrary: fc.record({ claim, step, attempt, idempotent: fc.boolean() }).map(
      (r): JournalRecord => ({ type: 'intent', ...r, key: `k${r.step}`, at }),
    ),
  },
  {
    weight: 5,
    arbitrary: fc.record({ claim, step, attempt, status: fc.constantFrom('succeeded', 'failed', 'ambiguous') }).map(
      (r): JournalRecord => ({ type: 'outcome', ...r, key: `k${r.step}`, at }),
    ),
  },
  { weight: 1, arbitrary: claim.map((c): JournalRecord => ({ type: 'deferred', claim: c, retry_at: at, reason: 'rate_limit', at })) },
  {
    weight: 1,
    arbitrary: fc.record({ claim, folder: fc.constantFrom('Done', 'Failed', 'Needs_Review') }).map(
      (r): JournalRecord => ({ type: 'finalized', ...r, file: r.claim, at }),
    ),
  },
);
const fileStatus = fc.constantFrom(undefined, 'in_progress', 'failed', 'needs_review', 'completed', 'deferred');

/** Records of `c` since its latest claim: what the current plan under that name did. */
function currentRun(records: JournalRecord[], c: string): JournalRecord[] {
  const mine = records.filter((r) => r.claim === c);
  const lastClaim = mine.map((r) => r.type).lastIndexOf('claimed');
  return mine.slice(Math.max(lastClaim, 0));
}

/** What a decision hands to a run, if it continues one. */
function continued(records: JournalRecord[], c: string, status: string | undefined): Continuation[] {
  const state = recoverState(records).get(c);
  if (!state) return [];
  const found: Continuation[] = [];
  const resume = decideResume(state);
  if (resume.kind !== 'finalize') found.push(resume.continuation);
  const again = decideReapproval(state, status);
  if (again.kind === 'continue') found.push(again.continuation);
  return found;
}

describe('decideResume and decideReapproval (property)', () => {
  it('never let a step whose outcome was succeeded be sent again', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), fileStatus, (records, status) => {
        for (const c of claims) {
          const succeeded = new Set(
            currentRun(records, c).flatMap((r) => (r.type === 'outcome' && r.status === 'succeeded' ? [r.step] : [])),
          );
          for (const continuation of continued(records, c, status)) {
            // The runner never sends a carried step and feeds it the recorded result.
            for (const s of succeeded) expect([...continuation.carried.keys()]).toContain(s);
            for (const r of continuation.unresolved) expect(succeeded.has(r.step)).toBe(false);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('an unanswered intent of a non-idempotent step is always handed on as unknown and not idempotent', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), fileStatus, (records, status) => {
        for (const c of claims) {
          const run = currentRun(records, c);
          const byStep = new Map<number, JournalRecord>();
          for (const r of run) if (r.type === 'intent' || r.type === 'outcome') byStep.set(r.step, r);
          const everSucceeded = (s: number) => run.some((r) => r.type === 'outcome' && r.step === s && r.status === 'succeeded');
          const unsafe = [...byStep.values()].flatMap((r) => (r.type === 'intent' && !r.idempotent && !everSucceeded(r.step) ? [r] : []));
          for (const continuation of continued(records, c, status)) {
            // The run re-sends an unresolved step only if it is idempotent: these go to review.
            for (const r of unsafe) expect(continuation.unresolved).toContainEqual(expect.objectContaining({ step: r.step, idempotent: false }));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
