/**
 * Fault injection for the crash-matrix tests (SPEC §9.3) and the cluster's claim (`after_reserve`: the file's
 * bytes taken in the database, not moved yet) and hand-off (`before_hand_off`, placement.ts): with MCP_ORCHESTRATOR_CRASH_AT set to one of these points, the daemon SIGKILLs itself
 * there, exactly as a power cut would stop it. Unset in production, where `crashAt` is a no-op.
 */
import type { JournalRecord } from '../journal/records.js';
import { unreachable } from '../core/errors.js';

const CRASH_POINTS = ['after_reserve', 'after_claim', 'after_intent', 'after_outcome', 'after_finalize', 'before_hand_off'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export type CrashHook = (point: CrashPoint) => void;

export function crashHookFrom(value: string | undefined): CrashHook {
  if (!value) return () => undefined;
  if (!(CRASH_POINTS as readonly string[]).includes(value)) {
    throw new Error(`MCP_ORCHESTRATOR_CRASH_AT=${value} is not one of ${CRASH_POINTS.join(', ')}`);
  }
  return (point) => {
    if (point === value) process.kill(process.pid, 'SIGKILL');
  };
}

/** The crash point a durable journal record reaches, if any. */
export function crashPointOf(record: JournalRecord): CrashPoint | undefined {
  switch (record.type) {
    case 'claimed':
      return 'after_claim';
    case 'intent':
      return 'after_intent';
    case 'outcome':
      return record.status === 'succeeded' ? 'after_outcome' : undefined;
    case 'deferred':
    case 'finalized':
      return undefined;
    default:
      unreachable(record, 'journal record');
  }
}
