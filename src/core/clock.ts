/**
 * The one clock (wall time and a monotonic reading for durations), owned by the runtime and injected
 * everywhere: tests drive time-sensitive logic with a clock of their own, and nothing in src/ reads
 * the system time behind the runtime's back.
 */
export interface Clock {
  /** Wall time: stamps in the journal, the logs and plan files. */
  now(): Date;
  /** Milliseconds from an arbitrary origin that never goes back: durations, round-trip times. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
};

/** A clock that reads `now` but measures durations like the system clock (tests with a fixed date). */
export function clockAt(now: () => Date): Clock {
  return { now, monotonicMs: () => performance.now() };
}
