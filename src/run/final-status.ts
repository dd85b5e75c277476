/** The front-matter fields a plan file gets when it ends (SPEC §5). Pure. */
import type { PlanOutcome } from '../execution/outcome.js';
import { formatProblem } from '../plan/problems.js';
import type { PlanProblem } from '../plan/types.js';

type Fields = Record<string, string | null>;

export function finalFields(outcome: PlanOutcome, now: Date): Fields {
  const at = now.toISOString();
  switch (outcome.kind) {
    case 'completed':
      return { status: 'completed', completed_at: at, error: null, retry_at: null };
    case 'failed':
      return { status: 'failed', failed_at: at, error: stepError(outcome) };
    case 'needs_review':
      return { status: 'needs_review', failed_at: at, error: stepError(outcome) };
    case 'deferred':
      return { status: 'deferred', retry_at: outcome.retryAt.toISOString(), error: stepError(outcome) };
    case 'interrupted':
      return { status: 'in_progress' };
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown plan outcome ${JSON.stringify(unreachable)}`);
    }
  }
}

export function invalidFields(problems: readonly PlanProblem[], now: Date): Fields {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more; see the Execution Log)` : '';
  return {
    status: 'failed',
    failed_at: now.toISOString(),
    error: `invalid plan: ${first ? formatProblem(first) : 'unknown problem'}${more}`,
  };
}

function stepError(outcome: Extract<PlanOutcome, { step: unknown }>): string {
  const { step, error } = outcome;
  return `step ${step.index} ${step.server}.${step.tool}: ${error.type}: ${error.message}`;
}

/** A plan's id when its front matter could not be read: the file name without `.md`. */
export function planIdOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return base.replace(/\.md$/i, '');
}
