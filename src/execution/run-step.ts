/**
 * One step, with its retries: resolve templates, announce the attempt, call the tool, classify the
 * failure, and retry with exponential backoff and jitter (p-retry) while the policy allows.
 */
import pRetry, { AbortError } from 'p-retry';
import { sleep } from '../mcp/backoff.js';
import type { ToolCaller } from '../mcp/pool.js';
import { resolveTemplates } from '../plan/templates.js';
import type { ResolvedStep } from '../plan/validated.js';
import type { CallGuard } from './call-guard.js';
import { classifyError, classifyResult, resultText } from './classify.js';
import { dispositionAfter, isRetryable } from './decide.js';
import { HeldBackError, StepError } from './errors.js';
import type { ExecutionObserver } from './observer.js';
import type { StepOutcome, StepResult } from './outcome.js';

export interface StepContext {
  readonly caller: ToolCaller;
  readonly observer: ExecutionObserver;
  readonly now: () => Date;
  /** Results of the plan's steps so far, by step id, for templates. */
  readonly results: ReadonlyMap<string, StepResult>;
  readonly planFields: Readonly<Record<string, unknown>>;
  /** First retry delay; doubles each retry, with jitter. */
  readonly retryDelayMs: number;
  /** How long a deferred plan waits when the server gave no Retry-After. */
  readonly deferDelayMs: number;
  /** Cancels calls in flight (hard shutdown). */
  readonly signal?: AbortSignal;
  /** Circuit breakers and rate limits: asked before each attempt is announced (guarded-caller.ts). */
  readonly guard?: CallGuard;
}

export async function runStep(step: ResolvedStep, context: StepContext): Promise<StepOutcome> {
  let attempts = 0;
  /** The last classified failure: what a hard stop between attempts leaves the step with. */
  let lastError: StepError | undefined;
  const attempt = async (attemptNumber: number): Promise<StepResult> => {
    const args = argumentsFor(step, context);
    // Held back (breaker open, rate limit reached): nothing is sent or announced, no attempt is spent,
    // and no retry loop runs against the guard: the plan is deferred at once.
    const admission = context.guard?.admit({ server: step.server, tool: step.tool });
    if (admission && !admission.ok) throw new AbortError(admission.error);
    const permit = admission?.permit;
    attempts = attemptNumber;
    const start = { step, attempt: attemptNumber, args };
    try {
      await context.observer.attemptStarting(start);
    } catch (error) {
      permit?.release();
      throw error;
    }
    const started = performance.now();
    let error: StepError | undefined;
    let result: StepResult | undefined;
    try {
      const send = permit ? permit.call.bind(permit) : context.caller.callTool.bind(context.caller);
      const response = await send({
        server: step.server,
        tool: step.tool,
        args,
        meta: { idempotency_key: step.idempotencyKey },
        timeoutMs: step.timeoutMs,
        signal: context.signal,
      });
      error = classifyResult(response);
      if (!error) result = { text: resultText(response), structured: response.structuredContent };
    } catch (thrown) {
      error = classifyError(thrown);
    }
    const durationMs = Math.round(performance.now() - started);
    if (error) {
      lastError = error;
      const retrying = attemptNumber <= step.retries && isRetryable(error, step.idempotent) && !context.signal?.aborted;
      await context.observer.attemptFinished({ ...start, durationMs, result: { ok: false, error }, retrying });
      throw error;
    }
    const ok = result as StepResult;
    await context.observer.attemptFinished({ ...start, durationMs, result: { ok: true, ...ok }, retrying: false });
    return ok;
  };

  try {
    const result = await pRetry(attempt, {
      retries: step.retries,
      factor: 2,
      minTimeout: context.retryDelayMs,
      maxTimeout: Math.max(context.retryDelayMs, 60_000),
      randomize: true,
      signal: context.signal,
      shouldRetry: ({ error }) => error instanceof StepError && isRetryable(error, step.idempotent),
      onFailedAttempt: async ({ error, retriesLeft }) => {
        // Honour a server's Retry-After on top of the backoff, so a rate limit is not hammered.
        if (error instanceof StepError && error.retryAfterMs && retriesLeft > 0 && isRetryable(error, step.idempotent)) {
          await sleep(Math.min(error.retryAfterMs, 60_000), context.signal);
        }
      },
    });
    return { kind: 'succeeded', attempts, ...result };
  } catch (thrown) {
    if (thrown instanceof HeldBackError) return { kind: 'deferred', error: thrown, retryAt: thrown.retryAt, attempts };
    // Every call's failure was classified inside the attempt. Anything else (the journal could not fsync,
    // a bug) is no outcome of a call: it must stop the plan, not pass for a connection error.
    const stopped = !(thrown instanceof StepError) && context.signal?.aborted === true;
    const error = thrown instanceof StepError ? thrown : stopped ? lastError : undefined;
    if (!error) throw thrown;
    // The hard stop ended the retries: what could still be retried waits for the next start.
    if (stopped && isRetryable(error, step.idempotent)) return { kind: 'deferred', error, retryAt: context.now(), attempts };
    const disposition = dispositionAfter(error, {
      idempotent: step.idempotent,
      now: context.now(),
      deferDelayMs: context.deferDelayMs,
    });
    switch (disposition.kind) {
      case 'failed':
        return { kind: 'failed', error, attempts };
      case 'needs_review':
        return { kind: 'needs_review', error, attempts };
      case 'deferred':
        return { kind: 'deferred', error, retryAt: disposition.retryAt, attempts };
      default: {
        const unreachable: never = disposition;
        throw new Error(`unknown disposition ${JSON.stringify(unreachable)}`);
      }
    }
  }
}

/** The arguments to send: templates resolved, the idempotency key added where the tool accepts one. */
function argumentsFor(step: ResolvedStep, context: StepContext): Record<string, unknown> {
  let args: Record<string, unknown>;
  try {
    args = resolveTemplates(step.args, {
      steps: Object.fromEntries(context.results),
      plan: context.planFields,
      now: context.now(),
    });
  } catch (error) {
    // Nothing was sent: a template that cannot be filled is a plan problem, never retried.
    throw new StepError('validation', error instanceof Error ? error.message : String(error), false);
  }
  if (step.acceptsIdempotencyKey && args.idempotency_key === undefined) {
    args = { ...args, idempotency_key: step.idempotencyKey };
  }
  return args;
}
