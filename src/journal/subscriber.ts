/**
 * The journal as the first subscriber of the plan events (SPEC §9.3, §9.4): it records the events a
 * restart needs, and the stream waits for each record to be durable — the intent before its call
 * leaves, the outcome before the next step starts, the end before the move into a final folder.
 * Results are recorded exactly as the run passes them on (bounded once, in events/step-result.ts).
 */
import { isUnknownOutcome, unreachable } from '../core/errors.js';
import type { Subscriber } from '../events/event-stream.js';
import type { PlanEvent } from '../events/plan-event.js';
import type { JournalRecord } from './records.js';
import type { JournalStore } from './store.js';

/** `afterRecord` runs once a record is durable (the crash-matrix tests stop the daemon there). */
export function journalSubscriber(store: Pick<JournalStore, 'append'>, afterRecord?: (record: JournalRecord) => void): Subscriber {
  return async (event) => {
    const record = recordOf(event);
    if (!record) return;
    await store.append(record);
    afterRecord?.(record);
  };
}

/** The record an event leaves in the journal, if any. Pure. */
export function recordOf(event: PlanEvent): JournalRecord | undefined {
  const claim = event.plan.approval;
  const at = event.at.toISOString();
  switch (event.type) {
    case 'claimed':
      return {
        type: 'claimed',
        claim,
        plan: event.plan.id,
        ...(event.plan.approvedBy !== undefined && { approved_by: event.plan.approvedBy }),
        name: event.plan.claim,
        file: event.from,
        hash: event.hash,
        ...(event.forgotten && { forgotten: true as const }),
        at,
      };
    case 'attempt_started':
      return { type: 'intent', claim, step: event.step.index, key: event.step.idempotencyKey, attempt: event.attempt, idempotent: event.step.idempotent, at };
    case 'attempt_ended': {
      const base = { type: 'outcome', claim, step: event.step.index, key: event.step.idempotencyKey, attempt: event.attempt, at } as const;
      if (event.result.ok) {
        const { text, structured, textCut, structuredCut } = event.result.result;
        return {
          ...base,
          status: 'succeeded',
          text,
          ...(structured !== undefined && { structured }),
          ...(textCut && { text_truncated: true }),
          ...(structuredCut && { structured_dropped: true }),
        };
      }
      const { error } = event.result;
      // The request may have been acted on: record it as unknown, never as a plain failure.
      return { ...base, status: isUnknownOutcome(error) ? 'ambiguous' : 'failed', error_type: error.type, text: error.message };
    }
    case 'deferred':
      if (event.resumed) return undefined;
      return { type: 'deferred', claim, retry_at: event.retryAt.toISOString(), reason: event.reason, at };
    case 'plan_ended':
      return event.folder ? { type: 'finalized', claim, folder: event.folder, file: event.plan.claim, at } : undefined;
    case 'queued':
    case 'run_started':
    case 'step_ended':
    case 'plan_moved':
    case 'released':
      return undefined;
    default:
      unreachable(event, 'plan event');
  }
}
