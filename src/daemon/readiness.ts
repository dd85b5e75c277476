/**
 * When is a file in Approved/ complete enough to claim? Pure.
 *
 * A plan renamed into Approved/ (the Obsidian way) keeps the modification time it was written with, so
 * it is old and ready at once. A plan being written in place keeps getting a fresh mtime; it is ready
 * only once it has not changed for `windowMs`. Watch events are mere hints: this rule decides.
 */
export interface FileObservation {
  readonly size: number;
  readonly mtimeMs: number;
}

export type Readiness =
  | { readonly kind: 'ready' }
  /** Look again after this many milliseconds. */
  | { readonly kind: 'settling'; readonly recheckInMs: number };

export function readiness(
  current: FileObservation,
  previous: FileObservation | undefined,
  nowMs: number,
  windowMs: number,
): Readiness {
  const changedSinceLastLook = previous !== undefined && (previous.size !== current.size || previous.mtimeMs !== current.mtimeMs);
  const age = nowMs - current.mtimeMs;
  if (!changedSinceLastLook && age >= windowMs) return { kind: 'ready' };
  return { kind: 'settling', recheckInMs: Math.max(1, windowMs - Math.max(0, age)) };
}
