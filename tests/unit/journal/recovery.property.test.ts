import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRecovery, type PlanLocation } from '../../../src/journal/decide-recovery.js';
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
const location = fc.constantFrom<PlanLocation>('In_Progress', 'Done', 'Failed', 'Needs_Review', 'Approved', 'missing');

/** Records of `c` since its latest claim: what the current plan under that name did. */
function currentRun(records: JournalRecord[], c: string): JournalRecord[] {
  const mine = records.filter((r) => r.claim === c);
  const lastClaim = mine.map((r) => r.type).lastIndexOf('claimed');
  return mine.slice(Math.max(lastClaim, 0));
}

describe('decideRecovery (property)', () => {
  it('never lets a step whose outcome was succeeded be sent again', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), location, (records, where) => {
        for (const [c, state] of recoverState(records)) {
          const succeeded = new Set(
            currentRun(records, c).flatMap((r) => (r.type === 'outcome' && r.status === 'succeeded' ? [r.step] : [])),
          );
          const decision = decideRecovery(state, where);
          switch (decision.kind) {
            case 'resume':
            case 'retry_in_flight':
            case 'deferred': {
              // The runner never sends a carried step and feeds it the recorded result.
              for (const s of succeeded) expect([...decision.carried.keys()]).toContain(s);
              const resent = decision.kind === 'retry_in_flight' ? decision.steps : decision.kind === 'deferred' ? decision.retrySteps : [];
              for (const r of resent) expect(succeeded.has(r.step)).toBe(false);
              expect(where).toBe('In_Progress'); // only a plan in In_Progress/ is ever continued
              break;
            }
            case 'needs_review':
            case 'finalize':
            case 'forget':
            case 'missing':
              break; // none of these sends anything
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('an unanswered intent of a non-idempotent step is never continued in In_Progress', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (records) => {
        for (const [c, state] of recoverState(records)) {
          const run = currentRun(records, c);
          if (run.some((r) => r.type === 'finalized')) continue;
          const byStep = new Map<number, JournalRecord>();
          for (const r of run) if (r.type === 'intent' || r.type === 'outcome') byStep.set(r.step, r);
          const everSucceeded = (s: number) => run.some((r) => r.type === 'outcome' && r.step === s && r.status === 'succeeded');
          const unsafe = [...byStep.values()].some((r) => r.type === 'intent' && !r.idempotent && !everSucceeded(r.step));
          if (unsafe) expect(decideRecovery(state, 'In_Progress').kind).toBe('needs_review');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
