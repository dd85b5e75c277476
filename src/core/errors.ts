/**
 * The closed set of failure types (SPEC §7). Every error that reaches the executor is classified into
 * one of these by `classifyError` (classify.ts); nothing else decides retry behaviour.
 */
export const ERROR_TYPES = [
  'validation',
  'authentication',
  'rate_limit',
  'timeout',
  'server_error',
  'connection',
  'tool_error',
  'ambiguous',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && (ERROR_TYPES as readonly string[]).includes(value);
}

/** A classified failure of one attempt. */
export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    readonly type: ErrorType,
    message: string,
    /** Did the request leave this process? Decides whether the outcome is known. */
    readonly sent: boolean,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The request left this process and no answer says what happened: the server may have acted. */
export function isUnknownOutcome(error: StepError): boolean {
  return error.sent && (error.type === 'ambiguous' || error.type === 'timeout' || error.type === 'connection');
}

/**
 * A remote server's OAuth authorization is gone (refresh token revoked or expired, never authorized),
 * found before anything was sent. Only a person can give it again, with `mcp-orchestrator auth <server>`,
 * and may do so at any time: the plan waits (deferred) rather than failing, and the server's breaker
 * probes again after its cool-down instead of latching until a restart (breaker.ts).
 */
export class AuthorizationNeeded extends StepError {
  constructor(
    readonly server: string,
    message: string,
  ) {
    super('authentication', message, false);
  }
}

/** Why a call was held back before it left this process. */
type HoldReason = 'breaker' | 'rate_limit';

/**
 * A call that was never sent because a guard held it back: the server's circuit breaker is open, or
 * the action's rate limit is reached. Not a failed attempt: the plan is deferred to `retryAt` and no
 * retry of the step's budget is spent (guarded-caller.ts, run-step.ts).
 */
export class HeldBackError extends StepError {
  constructor(
    readonly reason: HoldReason,
    message: string,
    readonly retryAt: Date,
  ) {
    super(reason === 'rate_limit' ? 'rate_limit' : 'connection', message, false);
  }
}

/**
 * The default of an exhaustive `switch` over a closed union: a compile error when a case is missing,
 * and a clear throw should a value from outside the types get in anyway (a hand-edited journal line).
 */
export function unreachable(value: never, what: string): never {
  throw new Error(`unknown ${what} ${JSON.stringify(value)}`);
}
