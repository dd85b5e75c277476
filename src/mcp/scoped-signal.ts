/**
 * A per-request child of a long-lived AbortSignal.
 *
 * Why: the SDK adds an 'abort' listener to the signal of every request and never removes it. Handing it
 * the daemon's shutdown signal directly leaks one listener (and the request's closure) per call, makes
 * every later addEventListener slower (Node scans the list for duplicates: quadratic over a day of
 * calls), and at shutdown would send a cancellation for every request ever made. The child lives as long
 * as one request; `release()` unhooks it from the parent.
 */
interface ScopedSignal {
  /** Aborted with the parent's reason, or by `abort`. */
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
  release(): void;
}

export function scopedSignal(parent: AbortSignal | undefined): ScopedSignal {
  const child = new AbortController();
  const forward = (): void => child.abort(parent?.reason);
  if (parent?.aborted) forward();
  else parent?.addEventListener('abort', forward, { once: true });
  return {
    signal: child.signal,
    abort: (reason) => child.abort(reason),
    release: () => parent?.removeEventListener('abort', forward),
  };
}
