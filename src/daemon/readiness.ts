/**
 * When is a file in Approved/ complete enough to claim? Pure. Watch events are mere hints: this rule
 * decides, and no timing window alone is taken as proof.
 *
 * - Renamed in after its last write (the normal approval, in Obsidian or a file manager, and an AI that
 *   writes elsewhere then moves): the rename changed the inode's ctime but not its mtime, so ctime is
 *   past mtime — complete at once.
 * - Written in place: complete once its writer closed it — no process has it open for writing
 *   (vault/open-writers.ts) and it did not change since the last look. Where writers cannot all be seen
 *   (another user's processes, another system), it must also have stayed unchanged for `windowMs`.
 */
import type { WriterState } from '../vault/open-writers.js';

export interface FileObservation {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

type Readiness =
  | { readonly kind: 'ready' }
  /** Look again after this many milliseconds. */
  | { readonly kind: 'settling'; readonly recheckInMs: number };

/** How soon to look again at a file whose writer still has it open. */
const WRITER_RECHECK_MS = 100;

/** Is the file still being written, going by its timestamps alone? (Then ask who has it open.) */
export function writtenInPlace(current: FileObservation): boolean {
  return current.ctimeMs <= current.mtimeMs;
}

/** Has the file changed (size or mtime) since the last look? A first look counts as changed. */
export function changedSince(previous: FileObservation | undefined, current: FileObservation): boolean {
  return previous === undefined || previous.size !== current.size || previous.mtimeMs !== current.mtimeMs;
}

export function readiness(
  current: FileObservation,
  previous: FileObservation | undefined,
  nowMs: number,
  windowMs: number,
  writer: WriterState,
): Readiness {
  if (!writtenInPlace(current)) return { kind: 'ready' };
  if (writer === 'open') return { kind: 'settling', recheckInMs: WRITER_RECHECK_MS };
  const changedSinceLastLook = changedSince(previous, current);
  if (writer === 'closed') return changedSinceLastLook ? { kind: 'settling', recheckInMs: 1 } : { kind: 'ready' };
  const age = nowMs - current.mtimeMs;
  if (!changedSinceLastLook && age >= windowMs) return { kind: 'ready' };
  return { kind: 'settling', recheckInMs: Math.max(1, windowMs - Math.max(0, age)) };
}
