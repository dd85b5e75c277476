/**
 * One plan end to end (SPEC §5, §7): prepare it, run its steps, and write progress and the final status
 * into the plan file. Folder moves are the daemon's business, not this module's.
 */
import type { AuditLog } from '../audit/logger.js';
import type { Config } from '../config/schema.js';
import type { CallGuard } from '../execution/call-guard.js';
import { executePlan } from '../execution/execute-plan.js';
import { combineObservers, type ExecutionObserver } from '../execution/observer.js';
import type { PlanReport, StepResult } from '../execution/outcome.js';
import type { McpPool } from '../mcp/pool.js';
import { formatProblem } from '../plan/problems.js';
import type { PlanProblem } from '../plan/types.js';
import type { ValidPlan } from '../plan/validated.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import { auditObserver } from './audit-observer.js';
import { finalFields, invalidFields, planIdOf } from './final-status.js';
import { PlanFileWriter, type PlanFileStore } from './plan-file.js';
import { planFileObserver } from './plan-file-observer.js';
import { preparePlan, type Prepared } from './prepare.js';
import { DEFAULT_MAX_BYTES, tooLargeProblem } from '../plan/decode.js';

export interface RunPlanDeps {
  readonly config: Config;
  readonly pool: Pick<McpPool, 'catalog' | 'callTool'>;
  readonly audit: AuditLog;
  readonly now: () => Date;
  /** Cancels calls in flight. */
  readonly signal?: AbortSignal;
  /** No new step starts once aborted. */
  readonly stopSignal?: AbortSignal;
  /** Extra listeners, e.g. the daemon's journal. They run before the plan file and the audit log. */
  readonly observers?: readonly ExecutionObserver[];
  /** Steps that succeeded in an earlier run, by 1-based step index (the journal's key): never sent again. */
  readonly previous?: ReadonlyMap<number, StepResult>;
  readonly dryRun?: boolean;
  readonly schemaChecker?: SchemaChecker;
  /** Circuit breakers and rate limits, asked before each call (the daemon's GuardedCaller). */
  readonly guard?: CallGuard;
}

export type RunResult =
  | { readonly kind: 'invalid'; readonly planId: string; readonly problems: readonly PlanProblem[] }
  /** A server the plan needs could not be reached to validate it: try again at `retryAt`. */
  | { readonly kind: 'unavailable'; readonly planId: string; readonly problems: readonly PlanProblem[]; readonly retryAt: Date }
  | { readonly kind: 'dry_run'; readonly plan: ValidPlan }
  | { readonly kind: 'executed'; readonly plan: ValidPlan; readonly report: PlanReport };

/** Largest refused file whose text still gets the status and error written into it. */
const ANNOTATE_LIMIT_BYTES = 64 * 1024 * 1024;

export async function runPlan(fileName: string, store: PlanFileStore, deps: RunPlanDeps): Promise<RunResult> {
  // A file over the plan size limit is refused by its size; it is read only when small enough to note
  // the error in it (a multi-GiB file would not even fit in a string).
  const size = await store.size();
  const bytes = size > ANNOTATE_LIMIT_BYTES ? new Uint8Array() : await store.read();
  const prepared: Prepared =
    size > DEFAULT_MAX_BYTES
      ? { ok: false, problems: [tooLargeProblem(size, fileName)] }
      : await preparePlan(bytes, fileName, {
          ...deps,
          ...(deps.previous ? { knownResults: new Set(deps.previous.keys()) } : {}),
        });
  const deferDelayMs = deps.config.execution.deferDelayMs;
  if (!prepared.ok) {
    const planId = prepared.plan?.id ?? planIdOf(fileName);
    const problems = prepared.problems;
    if (problems.every((problem) => problem.code === 'server_unavailable')) {
      // Not the plan's fault: validate it again once the server is back, instead of failing it.
      const retryAt = new Date(deps.now().getTime() + deferDelayMs);
      const message = problems.map(formatProblem).join(' | ');
      deps.audit.record({ event: 'RETRY', plan: planId, status: 'deferred', error_type: 'connection', message });
      if (!deps.dryRun) {
        await new PlanFileWriter(store, new TextDecoder().decode(bytes)).update({
          fields: { status: 'deferred', retry_at: retryAt.toISOString(), error: message },
        });
      }
      return { kind: 'unavailable', planId, problems, retryAt };
    }
    deps.audit.record({
      event: 'FAILED',
      plan: planId,
      status: 'invalid',
      error_type: 'validation',
      message: `${problems.length} problem(s): ${problems.map(formatProblem).join(' | ')}`,
    });
    if (!deps.dryRun) {
      // Bytes that are not text (binary, not UTF-8, too large to read) are left exactly as they came.
      const text = size > ANNOTATE_LIMIT_BYTES ? undefined : decodeOrUndefined(bytes);
      if (text !== undefined) {
        await new PlanFileWriter(store, text).update({
          fields: invalidFields(problems, deps.now()),
          logLines: problems.map((problem) => `- ${formatProblem(problem)}`),
        });
      }
    }
    return { kind: 'invalid', planId, problems };
  }
  const plan = prepared.plan;
  if (deps.dryRun) return { kind: 'dry_run', plan };

  const writer = new PlanFileWriter(store, new TextDecoder().decode(bytes));
  const previous = deps.previous ? byStepId(plan, deps.previous) : undefined;
  // A crash can fall between a step's recorded success and its tick: tick those now.
  const unticked = plan.steps.filter((step) => previous?.has(step.id) && step.line !== undefined);
  await writer.update({
    fields: { status: 'in_progress', error: null, failed_at: null, retry_at: null },
    tickLines: unticked.map((step) => step.line as number),
  });
  const id = plan.plan.id;
  for (const step of plan.manual) {
    deps.audit.record({ event: 'AUDIT', plan: id, step: step.index, message: `manual step left for a human: ${step.text}` });
  }
  const observer = combineObservers(
    ...(deps.observers ?? []),
    planFileObserver(writer, deps.now),
    auditObserver(deps.audit, { plan: id, ...(plan.plan.approvedBy ? { approvedBy: plan.plan.approvedBy } : {}) }),
  );
  const report = await executePlan(plan, {
    caller: deps.pool,
    observer,
    now: deps.now,
    retryDelayMs: deps.config.execution.retryDelayMs,
    deferDelayMs,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.stopSignal ? { stopSignal: deps.stopSignal } : {}),
    ...(previous ? { previous } : {}),
    ...(deps.guard ? { guard: deps.guard } : {}),
  });
  await writer.update({ fields: finalFields(report.outcome, deps.now()) });
  deps.audit.record({
    event: 'DONE',
    plan: id,
    status: report.outcome.kind,
    ...(plan.plan.approvedBy ? { approved_by: plan.plan.approvedBy } : {}),
    ...('error' in report.outcome ? { error_type: report.outcome.error.type, message: report.outcome.error.message } : {}),
  });
  return { kind: 'executed', plan, report };
}

/** The journal keys results by step index; templates and the executor use step ids. */
function byStepId(plan: ValidPlan, byIndex: ReadonlyMap<number, StepResult>): Map<string, StepResult> {
  const ids = new Map<number, string>([...plan.steps, ...plan.done].map((step) => [step.index, step.id]));
  const results = new Map<string, StepResult>();
  for (const [index, result] of byIndex) {
    const id = ids.get(index);
    if (id !== undefined) results.set(id, result);
  }
  return results;
}

function decodeOrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
