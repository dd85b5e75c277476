/**
 * How many `submit_plan` calls are let through: a token bucket, `max` tokens, refilled evenly over
 * `perMs`, so a burst of `max` passes and a flood is refused at once with when to try again. Pure
 * state transitions; `SubmissionLimiter` holds the state and reads the injected clock. Hand-written:
 * a dozen lines, where a library would bring timers this needs none of.
 */
import type { Clock } from '../core/clock.js';

export interface Bucket {
  readonly tokens: number;
  readonly atMs: number;
}

export type Take = { readonly ok: true; readonly bucket: Bucket } | { readonly ok: false; readonly bucket: Bucket; readonly retryInMs: number };

export function take(bucket: Bucket, nowMs: number, max: number, perMs: number): Take {
  const rate = max / perMs;
  const elapsed = Math.max(0, nowMs - bucket.atMs);
  const tokens = Math.min(max, bucket.tokens + elapsed * rate);
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, atMs: nowMs } };
  return { ok: false, bucket: { tokens, atMs: nowMs }, retryInMs: Math.ceil((1 - tokens) / rate) };
}

export class SubmissionLimiter {
  private bucket: Bucket;

  constructor(
    private readonly clock: Clock,
    private readonly max: number,
    private readonly perMs: number,
  ) {
    this.bucket = { tokens: max, atMs: clock.now().getTime() };
  }

  /** undefined when the call may go on; else how long until the next one may. */
  admit(): number | undefined {
    const result = take(this.bucket, this.clock.now().getTime(), this.max, this.perMs);
    this.bucket = result.bucket;
    return result.ok ? undefined : result.retryInMs;
  }
}
