/**
 * A step's result and a step's end: one shape each, from the call to the journal, the plan file, the
 * logs and the templates of later steps. Results are keyed by the step's 1-based index everywhere.
 */
import type { StepError } from '../core/errors.js';
import type { TemplateResult } from '../plan/templates.js';

/**
 * What a succeeded call returned, as later steps' templates see it (`{{ steps.ID.text }}`): its text
 * parts joined by newlines, its structured content, and a flag on each one cut to the bound below.
 */
export type StepResult = TemplateResult;

/**
 * The server recognised the idempotency key and did nothing now: the bundled servers (and any server
 * that follows them) answer `deduplicated: true` with the first send's result. Logged as a
 * deduplication, never as a new send.
 */
export function isDeduplicated(result: StepResult): boolean {
  const structured = result.structured as { deduplicated?: unknown } | undefined;
  return typeof structured === 'object' && structured !== null && structured.deduplicated === true;
}

/** How one attempt ended: a result, or a classified error. */
export type AttemptResult = { readonly ok: true; readonly result: StepResult } | { readonly ok: false; readonly error: StepError };

/** How one step ended, once it will not be tried again within this run. */
export type StepOutcome =
  | { readonly kind: 'succeeded'; readonly attempts: number; readonly result: StepResult }
  | { readonly kind: 'failed'; readonly attempts: number; readonly error: StepError }
  | { readonly kind: 'deferred'; readonly attempts: number; readonly error: StepError; readonly retryAt: Date }
  /** The outcome is unknown and the action may not be repeated: a human must check. */
  | { readonly kind: 'needs_review'; readonly attempts: number; readonly error: StepError };

/**
 * The result as every later reader gets it, bounded ONCE, where it is made: the text cut to `maxBytes`
 * (on a character boundary) and a larger `structured` dropped, each flagged. The journal keeps exactly
 * this, so a later step sees the same value whether or not the daemon restarted in between (SPEC §9.8).
 * Pure.
 */
export function boundResult(text: string, structured: unknown, maxBytes: number): StepResult {
  let result: StepResult = { text };
  if (Buffer.byteLength(text, 'utf8') > maxBytes) result = { text: cutUtf8(text, maxBytes), textCut: true };
  if (structured === undefined) return result;
  const json = JSON.stringify(structured);
  if (json === undefined || Buffer.byteLength(json, 'utf8') > maxBytes) return { ...result, structuredCut: true };
  return { ...result, structured };
}

function cutUtf8(text: string, maxBytes: number): string {
  const cut = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8');
  // A multi-byte character split at the edge decodes as U+FFFD: drop it.
  return cut.endsWith('\uFFFD') && !text.startsWith(cut) ? cut.slice(0, -1) : cut;
}
