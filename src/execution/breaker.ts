/**
 * A circuit breaker for one server (issue 7), as pure transitions over an injected clock: after
 * `failureThreshold` consecutive failures no call is let through; once `coolDownMs` has passed one probe
 * is; its success closes the breaker, its failure opens it again. An authentication failure latches the
 * breaker open until the daemon restarts (new configuration or credentials): no probe could fix it.
 *
 * Hand-written rather than cockatiel's CircuitBreakerPolicy: cockatiel reads Date.now()
 * itself (no injectable clock), makes callers that arrive while its probe runs wait for the probe
 * (we must turn them away at once: a held-back call defers its plan), and has no "latched until
 * restart" state with the reason kept. The whole machine is these few pure functions, unit-tested.
 */
import { AuthorizationNeeded, type ErrorType, type StepError, unreachable } from '../core/errors.js';

export type BreakerStateName = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long an open breaker turns calls away before letting one probe through. */
  readonly coolDownMs: number;
}

export interface BreakerError {
  readonly type: ErrorType;
  readonly message: string;
  readonly at: Date;
}

export interface BreakerState {
  readonly state: BreakerStateName;
  /** When the current state began. */
  readonly since: Date;
  /** When the server last left `closed` (kept across open ⇄ half-open): how long it has been down. */
  readonly downSince?: Date;
  readonly consecutiveFailures: number;
  readonly lastError?: BreakerError;
  /** Opened by an authentication failure: stays open, without probes, until restart. */
  readonly latched: boolean;
  /**
   * Open because its OAuth authorization must be given again (AuthorizationNeeded): probed after the
   * cool-down like failures, since `auth <server>` may have run in the meantime.
   */
  readonly reauthorize?: true;
  /** Half-open with its one probe in flight. */
  readonly probing: boolean;
}

/** What a failure (or success) means to the breaker. */
export type BreakerSignal = 'success' | 'failure' | 'authentication' | 'reauthorize' | 'neutral';

export function closedBreaker(now: Date): BreakerState {
  return { state: 'closed', since: now, consecutiveFailures: 0, latched: false, probing: false };
}

/**
 * Which outcomes count against a server: it failed or could not be reached (server_error, connection,
 * timeout, ambiguous). A validation or tool error, or a rate limit, is an answer: the server is up.
 */
export function breakerSignalOf(error: StepError | undefined): BreakerSignal {
  if (!error) return 'success';
  switch (error.type) {
    case 'authentication':
      return error instanceof AuthorizationNeeded ? 'reauthorize' : 'authentication';
    case 'server_error':
    case 'connection':
    case 'timeout':
    case 'ambiguous':
      return 'failure';
    case 'validation':
    case 'tool_error':
    case 'rate_limit':
      return 'success';
    default:
      unreachable(error.type, 'error type');
  }
}

type BreakerAdmission =
  | { readonly allowed: true; readonly next: BreakerState; readonly probe: boolean }
  /** `retryAt` absent: latched, nothing but a restart reopens it. */
  | { readonly allowed: false; readonly retryAt?: Date };

/** May a call go now? Letting the first call through after the cool-down makes it the probe. */
export function admitCall(s: BreakerState, settings: BreakerSettings, now: Date): BreakerAdmission {
  const blocked = blockedUntil(s, settings, now);
  if (blocked !== 'no') return blocked === 'latched' ? { allowed: false } : { allowed: false, retryAt: blocked };
  if (s.state === 'closed') return { allowed: true, next: s, probe: false };
  const next: BreakerState = { ...s, state: 'half-open', since: s.state === 'half-open' ? s.since : now, probing: true };
  return { allowed: true, next, probe: true };
}

/**
 * Would a call be turned away now? `'no'`, the time to try again, or `'latched'`. Read-only: used for
 * tool listings, which must not take the probe (a cached listing proves nothing about the server).
 */
function blockedUntil(s: BreakerState, settings: BreakerSettings, now: Date): 'no' | 'latched' | Date {
  if (s.latched) return 'latched';
  switch (s.state) {
    case 'closed':
      return 'no';
    case 'open': {
      const probeAt = s.since.getTime() + settings.coolDownMs;
      return now.getTime() >= probeAt ? 'no' : new Date(probeAt);
    }
    case 'half-open':
      // One probe at a time; the others come back shortly, when it has likely answered.
      return s.probing ? new Date(now.getTime() + Math.min(settings.coolDownMs, 5_000)) : 'no';
    default:
      unreachable(s.state, 'breaker state');
  }
}

/** The breaker after a call (or a tool listing) ended with `signal`. */
export function recordOutcome(
  s: BreakerState,
  signal: BreakerSignal,
  error: StepError | undefined,
  settings: BreakerSettings,
  now: Date,
): BreakerState {
  const lastError = error && signal !== 'success' ? { type: error.type, message: error.message, at: now } : s.lastError;
  if (signal === 'authentication') {
    return {
      state: 'open',
      since: now,
      downSince: s.downSince ?? now,
      consecutiveFailures: s.consecutiveFailures + 1,
      ...(lastError ? { lastError } : {}),
      latched: true,
      probing: false,
    };
  }
  // Only a restart lifts a latch: a call let through before it cannot.
  if (s.latched) return s;
  if (signal === 'reauthorize') {
    return { ...s, state: 'open', since: now, downSince: s.downSince ?? now, ...(lastError ? { lastError } : {}), probing: false, reauthorize: true };
  }
  switch (signal) {
    case 'neutral':
      return s.probing ? { ...s, probing: false } : s;
    case 'success': {
      if (s.state === 'closed') return { ...s, consecutiveFailures: 0 };
      const { downSince: _gone, reauthorize: _authorized, ...rest } = s;
      return { ...rest, state: 'closed', since: now, consecutiveFailures: 0, probing: false };
    }
    case 'failure': {
      const failures = s.consecutiveFailures + 1;
      const { reauthorize: _past, ...current } = s;
      const base = { ...current, consecutiveFailures: failures, ...(lastError ? { lastError } : {}) };
      const open = (): BreakerState => ({ ...base, state: 'open', since: now, downSince: s.downSince ?? now, probing: false });
      switch (s.state) {
        case 'closed':
          return failures >= settings.failureThreshold ? open() : base;
        case 'half-open':
          return open();
        case 'open':
          // A call let through before the breaker opened: it changes nothing, unless it came after the
          // cool-down (a tool listing then acts as the probe, and failed).
          return now.getTime() >= s.since.getTime() + settings.coolDownMs ? open() : base;
        default:
          unreachable(s.state, 'breaker state');
      }
    }
    default:
      unreachable(signal, 'breaker signal');
  }
}

/** A breaker as the dashboard and the `servers` command show it. JSON-friendly. */
export interface BreakerView {
  readonly state: BreakerStateName;
  readonly since: string;
  readonly downSince?: string;
  readonly consecutiveFailures: number;
  /**
   * Why it is open: failures, authentication (latched until the daemon restarts), or authorization (an
   * OAuth authorization to give again with `auth <server>`; probed after the cool-down).
   */
  readonly reason?: 'failures' | 'authentication' | 'authorization';
  /** When the next probe may go (open, not latched). */
  readonly probeAt?: string;
  readonly lastError?: { readonly type: ErrorType; readonly message: string; readonly at: string };
}

export function breakerView(s: BreakerState, settings: BreakerSettings): BreakerView {
  const open = s.state !== 'closed';
  return {
    state: s.state,
    since: s.since.toISOString(),
    ...(s.downSince ? { downSince: s.downSince.toISOString() } : {}),
    consecutiveFailures: s.consecutiveFailures,
    ...(open ? { reason: s.latched ? ('authentication' as const) : s.reauthorize ? ('authorization' as const) : ('failures' as const) } : {}),
    ...(s.state === 'open' && !s.latched ? { probeAt: new Date(s.since.getTime() + settings.coolDownMs).toISOString() } : {}),
    ...(s.lastError
      ? { lastError: { type: s.lastError.type, message: s.lastError.message, at: s.lastError.at.toISOString() } }
      : {}),
  };
}
