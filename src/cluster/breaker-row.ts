/**
 * A breaker's state as a row of `breakers` holds it (jsonb): dates as ISO strings, read back through
 * zod, so a row this version does not understand reads as a closed breaker rather than a crash.
 */
import { z } from 'zod';
import { ERROR_TYPES } from '../core/errors.js';
import { closedBreaker, type BreakerState } from '../execution/breaker.js';

const BreakerRowSchema = z.object({
  state: z.enum(['closed', 'open', 'half-open']),
  since: z.iso.datetime(),
  downSince: z.iso.datetime().optional(),
  consecutiveFailures: z.number().int().nonnegative(),
  lastError: z.object({ type: z.enum(ERROR_TYPES), message: z.string(), at: z.iso.datetime() }).optional(),
  latched: z.boolean(),
  reauthorize: z.literal(true).optional(),
  probing: z.boolean(),
});

type BreakerRow = z.infer<typeof BreakerRowSchema>;

export function breakerRow(s: BreakerState): BreakerRow {
  return {
    state: s.state,
    since: s.since.toISOString(),
    ...(s.downSince ? { downSince: s.downSince.toISOString() } : {}),
    consecutiveFailures: s.consecutiveFailures,
    ...(s.lastError ? { lastError: { type: s.lastError.type, message: s.lastError.message, at: s.lastError.at.toISOString() } } : {}),
    latched: s.latched,
    ...(s.reauthorize ? { reauthorize: true as const } : {}),
    probing: s.probing,
  };
}

export function breakerFromRow(row: unknown, now: Date): BreakerState {
  const parsed = BreakerRowSchema.safeParse(row);
  if (!parsed.success) return closedBreaker(now);
  const r = parsed.data;
  return {
    state: r.state,
    since: new Date(r.since),
    ...(r.downSince ? { downSince: new Date(r.downSince) } : {}),
    consecutiveFailures: r.consecutiveFailures,
    ...(r.lastError ? { lastError: { type: r.lastError.type, message: r.lastError.message, at: new Date(r.lastError.at) } } : {}),
    latched: r.latched,
    ...(r.reauthorize ? { reauthorize: true as const } : {}),
    probing: r.probing,
  };
}

/** Same state, field for field (a transition that changed nothing is not written). */
export function sameBreaker(a: BreakerState, b: BreakerState): boolean {
  return JSON.stringify(breakerRow(a)) === JSON.stringify(breakerRow(b));
}
