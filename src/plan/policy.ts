import { parseExpires } from './expires.js';
import { listNames, problem, quote } from './problems.js';
import type { Plan, PlanProblem } from './types.js';

/** Statuses that mean "do not run", whatever folder the file is in (SPEC §4). */
const REFUSED_STATUSES = new Set(['rejected', 'draft']);

/** A status a human set to say "do not run"; the daemon never writes over it (SPEC §7). */
export function isRefusedStatus(status: unknown): boolean {
  return typeof status === 'string' && REFUSED_STATUSES.has(status.trim().toLowerCase());
}

/** Plan-level policy (SPEC §7): not rejected or draft, not expired. */
export function planPolicyProblems(plan: Plan, now: Date): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const loc = { file: plan.file };
  if (isRefusedStatus(plan.status)) {
    problems.push(
      problem(
        'refused_status',
        `the plan's status is ${quote(plan.status)}, and a rejected or draft plan is never run: set \`status: pending\` (or remove it) to approve it`,
        loc,
      ),
    );
  }
  if (plan.expires !== undefined) {
    const at = parseExpires(plan.expires);
    if (at === undefined) {
      problems.push(
        problem(
          'bad_expires',
          `\`expires\` ${quote(plan.expires)} is not an ISO 8601 date-time: write it like 2026-02-17T14:15:30Z, or 2026-02-17 14:15 for local time`,
          loc,
        ),
      );
    } else if (at.getTime() <= now.getTime()) {
      problems.push(
        problem(
          'expired',
          `the approval expired at ${plan.expires} (${at.toISOString()}); it is now ${now.toISOString()}: re-approve it with a later \`expires\``,
          loc,
        ),
      );
    }
  }
  return problems;
}

/**
 * `approved_actions` is an allowlist: a step's action name must be on it. A step naming a tool
 * directly is matched by `server.tool`.
 */
export function approvedActionProblem(plan: Plan, name: string, step: number, line?: number): PlanProblem | undefined {
  if (plan.approvedActions === undefined || plan.approvedActions.includes(name)) return undefined;
  return problem(
    'not_approved_action',
    `action ${quote(name)} is not in \`approved_actions\` (${listNames(plan.approvedActions, 'an empty list')}): add it there to approve it, or remove the step`,
    { file: plan.file, step, ...(line !== undefined ? { line } : {}) },
  );
}
