/**
 * One step, with its retries: resolve templates, announce the attempt, call the tool, classify the
 * failure, and retry with exponential backoff and jitter (p-retry) while the policy allows. Each
 * attempt is two events (attempt_started, attempt_ended); their emission is awaited, so the journal
 * has the intent on disk before the request leaves and the outcome before the next step starts.
 */
import pRetry, { AbortError } from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.js';
import { HeldBackError, StepError, unreachable } from '../core/errors.js';
import { maskKnown, maskKnownText } from '../core/sanitize.js';
import type { PlanEmitter } from '../events/event-stream.js';
import { boundResult, type StepOutcome, type StepResult } from '../events/step-result.js';
import { resolveTemplates, type TemplateResult } from '../plan/templates.js';
import type { ResolvedStep } from '../plan/validated.js';
import type { CallGuard } from './call-guard.js';
import { classifyError, classifyResult, resultText } from './classify.js';
import { dispositionAfter, isRetryable } from './decide.js';

export interface StepContext {
  readonly guard: CallGuard;
  readonly emitter: PlanEmitter;
  readonly clock: Clock;
  /** The result of an earlier step of this plan, by step id, for templates. */
  readonly resultOf: (id: string) => TemplateResult | undefined;
  readonly planFields: Readonly<Record<string, unknown>>;
  /** First retry delay; doubles each retry, with jitter. */
  readonly retryDelayMs: number;
  /** How long a deferred plan waits when the server gave no Retry-After. */
  readonly deferDelayMs: number;
  /** Results larger than this (UTF-8 bytes, text and structured each) are cut and flagged. */
  readonly maxResultBytes: number;
  /** Cancels calls in flight (hard shutdown). */
  readonly signal?: AbortSignal;
  /**
   * The configuration's environment values: masked in a result where it is made, so later steps see
   * the same result whether or not it was read back from the (masked) journal after a restart.
   */
  readonly masked?: readonly string[];
  /** The approval's policy at `now` (decide.ts refusalBeforeAttempt): asked before every attempt. */
  readonly policy?: (step: ResolvedStep, attempt: number, now: Date) => StepError | undefined;
}

/**
 * Longest wait between two attempts within a step. A server's Retry-After is waited out in full when it
 * is shorter; a longer one is not waited for here: the plan is deferred to that time (decide.ts).
 */
const MAX_WAIT_MS = 60_000;

/** May this failure be retried now, in this call? Not a Retry-After longer than we wait in a call. */
function retryNow(error: unknown, idempotent: boolean): error is StepError {
  if (!(error instanceof StepError) || !isRetryable(error, idempotent)) return false;
  return error.retryAfterMs === undefined || error.retryAfterMs <= MAX_WAIT_MS;
}

export async function runStep(step: ResolvedStep, context: StepContext): Promise<StepOutcome> {
  let attempts = 0;
  /** The last classified failure: what a hard stop between attempts leaves the step with. */
  let lastError: StepError | undefined;
  const { emitter } = context;
  const attempt = async (attemptNumber: number): Promise<StepResult> => {
    // Policy before every attempt, retries included: an approval that lapsed while we waited sends nothing more.
    const refused = context.policy?.(step, attemptNumber, context.clock.now());
    if (refused) throw new AbortError(refused);
    const args = argumentsFor(step, context);
    // Held back (breaker open, rate limit reached): nothing is sent or announced, no attempt is spent,
    // and no retry loop runs against the guard: the plan is deferred at once.
    const admission = await context.guard.admit({ server: step.server, tool: step.tool });
    if (!admission.ok) throw new AbortError(admission.error);
    const { permit } = admission;
    attempts = attemptNumber;
    try {
      await emitter.emit({ type: 'attempt_started', step, attempt: attemptNumber, args });
    } catch (error) {
      permit.release();
      throw error;
    }
    const started = context.clock.monotonicMs();
    let error: StepError | undefined;
    let result: StepResult | undefined;
    try {
      const response = await permit.call({
        server: step.server,
        tool: step.tool,
        args,
        meta: { idempotency_key: step.idempotencyKey },
        timeoutMs: step.timeoutMs,
        ...(context.signal ? { signal: context.signal } : {}),
      });
      error = classifyResult(response);
      if (!error) {
        const masked = context.masked ?? [];
        result = boundResult(maskKnownText(resultText(response), masked), maskKnown(response.structuredContent, masked), context.maxResultBytes);
      }
    } catch (thrown) {
      error = classifyError(thrown);
    }
    const durationMs = Math.round(context.clock.monotonicMs() - started);
    const ended = { type: 'attempt_ended', step, attempt: attemptNumber, args, durationMs } as const;
    if (error) {
      lastError = error;
      const retrying = attemptNumber <= step.retries && retryNow(error, step.idempotent) && !context.signal?.aborted;
      await emitter.emit({ ...ended, result: { ok: false, error }, retrying });
      throw error;
    }
    const ok = result as StepResult;
    await emitter.emit({ ...ended, result: { ok: true, result: ok }, retrying: false });
    return ok;
  };

  try {
    const result = await pRetry(attempt, {
      retries: step.retries,
      factor: 2,
      minTimeout: context.retryDelayMs,
      maxTimeout: Math.max(context.retryDelayMs, MAX_WAIT_MS),
      randomize: true,
      ...(context.signal ? { signal: context.signal } : {}),
      shouldRetry: ({ error }) => retryNow(error, step.idempotent),
      onFailedAttempt: async ({ error, retriesLeft }) => {
        // Honour a server's Retry-After in full, on top of the backoff, so a rate limit is not hammered.
        if (retriesLeft > 0 && retryNow(error, step.idempotent) && error.retryAfterMs) {
          await sleep(error.retryAfterMs, undefined, context.signal ? { signal: context.signal } : {});
        }
      },
    });
    return { kind: 'succeeded', attempts, result };
  } catch (thrown) {
    if (thrown instanceof HeldBackError) return { kind: 'deferred', error: thrown, retryAt: thrown.retryAt, attempts };
    // Every call's failure was classified inside the attempt. Anything else (the journal could not fsync,
    // a bug) is no outcome of a call: it must stop the plan, not pass for a connection error.
    const stopped = !(thrown instanceof StepError) && context.signal?.aborted === true;
    const error = thrown instanceof StepError ? thrown : stopped ? lastError : undefined;
    if (!error) throw thrown;
    // The hard stop ended the retries: what could still be retried waits for the next start.
    if (stopped && isRetryable(error, step.idempotent)) return { kind: 'deferred', error, retryAt: context.clock.now(), attempts };
    const disposition = dispositionAfter(error, {
      idempotent: step.idempotent,
      now: context.clock.now(),
      deferDelayMs: context.deferDelayMs,
    });
    switch (disposition.kind) {
      case 'failed':
      case 'needs_review':
        return { kind: disposition.kind, error, attempts };
      case 'deferred':
        return { kind: 'deferred', error, retryAt: disposition.retryAt, attempts };
      default:
        unreachable(disposition, 'disposition');
    }
  }
}

/** The arguments to send: templates resolved, the idempotency key added where the tool accepts one. */
function argumentsFor(step: ResolvedStep, context: StepContext): Record<string, unknown> {
  let args: Record<string, unknown>;
  try {
    args = resolveTemplates(step.args, { steps: context.resultOf, plan: context.planFields, now: context.clock.now() });
  } catch (error) {
    // Nothing was sent: a template that cannot be filled is a plan problem, never retried.
    throw new StepError('validation', error instanceof Error ? error.message : String(error), false);
  }
  if (step.acceptsIdempotencyKey && args.idempotency_key === undefined) {
    args = { ...args, idempotency_key: step.idempotencyKey };
  }
  return args;
}
