/**
 * Writes the journal around every call: the "about to call" record is on disk before the request
 * leaves, the outcome is on disk before the next step starts (SPEC §9.3, §9.4).
 */
import { isUnknownOutcome } from '../execution/errors.js';
import type { ExecutionObserver } from '../execution/observer.js';
import type { JournalWriter } from '../journal/index.js';
import type { CrashHook } from './crash-points.js';

export function journalObserver(journal: JournalWriter, claim: string, now: () => Date, crash: CrashHook): ExecutionObserver {
  return {
    async attemptStarting({ step, attempt }) {
      await journal.append({
        type: 'intent',
        claim,
        step: step.index,
        key: step.idempotencyKey,
        attempt,
        idempotent: step.idempotent,
        at: now().toISOString(),
      });
      crash('after_intent');
    },
    async attemptFinished({ step, attempt, result }) {
      const at = now().toISOString();
      const base = { type: 'outcome' as const, claim, step: step.index, key: step.idempotencyKey, attempt, at };
      if (result.ok) {
        // The writer bounds the result's size (journal/bound.ts).
        await journal.append({ ...base, status: 'succeeded', text: result.text, structured: result.structured });
        crash('after_outcome');
        return;
      }
      const error = result.error;
      // The request may have been acted on: record it as unknown, never as a plain failure.
      await journal.append({ ...base, status: isUnknownOutcome(error) ? 'ambiguous' : 'failed', error_type: error.type, text: error.message });
    },
    stepFinished: async () => undefined,
  };
}
