/**
 * Fault injection for the crash-matrix tests (SPEC §9.3): with MCP_ORCHESTRATOR_CRASH_AT set to one of
 * these points, the daemon SIGKILLs itself there, exactly as a power cut would stop it. Unset in
 * production, where `crashAt` is a no-op.
 */
export const CRASH_POINTS = ['after_claim', 'after_intent', 'after_outcome', 'after_finalize'] as const;
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
