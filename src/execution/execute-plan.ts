/**
 * Runs a validated plan's steps: in file order (sequential), or each as soon as its dependencies have
 * succeeded (parallel, bounded by each server's queue in the pool). The first step that ends badly
 * stops new steps from starting; steps already running finish. Steps carried over from an earlier run
 * (recovery's decision, or ticks) are never sent again; their results feed templates.
 */
import { stepReason, worseOf, type PlanOutcome } from '../events/plan-outcome.js';
import type { StepOutcome, StepResult } from '../events/step-result.js';
import { planValues } from '../plan/templates.js';
import type { ResolvedStep, ValidPlan } from '../plan/validated.js';
import { refusalBeforeAttempt } from './decide.js';
import { runStep, type StepContext } from './run-step.js';
import { unreachable } from '../core/errors.js';

interface PlanContext extends Omit<StepContext, 'resultOf' | 'planFields'> {
  /** Results of steps that succeeded in an earlier run, by step index: never sent again. */
  readonly carried: ReadonlyMap<number, StepResult>;
  /** Aborted when shutdown begins: no new step starts, running ones finish. */
  readonly stopSignal?: AbortSignal;
  /** Asked before each step starts; false ends the run there as interrupted (the plan file is gone). */
  readonly proceed?: () => Promise<boolean>;
  /**
   * Several hosts: can this step run here (its server is on this node)? A step that cannot is not
   * started; the run ends as interrupted once nothing else can go on, and its caller hands it over.
   */
  readonly here?: (step: ResolvedStep) => boolean;
}

interface PlanReport {
  readonly outcome: PlanOutcome;
  /** Every succeeded step's result by index, carried ones included. */
  readonly results: ReadonlyMap<number, StepResult>;
}

export async function executePlan(valid: ValidPlan, context: PlanContext): Promise<PlanReport> {
  const results = new Map<number, StepResult>(context.carried);
  const indexOf = new Map<string, number>([...valid.steps, ...valid.done].map((step) => [step.id, step.index]));
  const stepContext: StepContext = {
    ...context,
    resultOf: (id) => {
      const index = indexOf.get(id);
      return index === undefined ? undefined : results.get(index);
    },
    planFields: planValues(valid.plan),
    policy: (step, attempt, now) => refusalBeforeAttempt(valid.plan, step, attempt, now),
  };
  const pending = valid.steps.filter((step) => !results.has(step.index));

  const finish: Finish = async (step, outcome) => {
    if (outcome.kind === 'succeeded') results.set(step.index, outcome.result);
    await context.emitter.emit({ type: 'step_ended', step, outcome });
    return planOutcomeOf(step, outcome);
  };

  const run: Run = {
    context: stepContext,
    stop: context.stopSignal,
    proceed: context.proceed ?? (async () => true),
    here: context.here ?? (() => true),
    finish,
  };
  const outcome = valid.mode === 'parallel' ? await runParallel(pending, run) : await runSequential(pending, run);
  return { outcome, results };
}

type Finish = (step: ResolvedStep, outcome: StepOutcome) => Promise<PlanOutcome | undefined>;

/** What both ways of running the steps are given. */
interface Run {
  readonly context: StepContext;
  readonly stop: AbortSignal | undefined;
  readonly proceed: () => Promise<boolean>;
  readonly here: (step: ResolvedStep) => boolean;
  readonly finish: Finish;
}

/** The plan's end a step's end implies, if it stops the plan. */
function planOutcomeOf(step: ResolvedStep, outcome: StepOutcome): PlanOutcome | undefined {
  switch (outcome.kind) {
    case 'succeeded':
      return undefined;
    case 'failed':
    case 'needs_review':
      return { kind: outcome.kind, reason: stepReason(step, outcome.error), cause: { step, error: outcome.error } };
    case 'deferred':
      return { kind: 'deferred', reason: stepReason(step, outcome.error), retryAt: outcome.retryAt, cause: { step, error: outcome.error } };
    default:
      unreachable(outcome, 'step outcome');
  }
}

async function runSequential(steps: readonly ResolvedStep[], { context, stop, proceed, here, finish }: Run): Promise<PlanOutcome> {
  for (const step of steps) {
    if (stop?.aborted || !here(step) || !(await proceed())) return { kind: 'interrupted' };
    const end = await finish(step, await runStep(step, context));
    if (end) return end;
  }
  return { kind: 'completed' };
}

async function runParallel(steps: readonly ResolvedStep[], { context, stop, proceed, here, finish }: Run): Promise<PlanOutcome> {
  const waiting = new Set(steps);
  let halted = false;
  const pendingIds = new Set(steps.map((step) => step.id));
  const running = new Map<string, Promise<void>>();
  let end: PlanOutcome = { kind: 'completed' };
  // A subscriber's failure (say, the journal cannot fsync) must surface once, after running steps settle.
  let fatal: { error: unknown } | undefined;
  // A dependency outside this run (a step already done) counts as met.
  const isReady = (step: ResolvedStep): boolean =>
    step.dependsOn.every((id) => !pendingIds.has(id) || context.resultOf(id) !== undefined);

  for (;;) {
    const stopping = (): boolean => end.kind !== 'completed' || stop?.aborted === true || fatal !== undefined || halted;
    // A ready step whose server is on another node waits; the ones that can run here go on.
    const ready = [...waiting].filter((step) => isReady(step) && here(step));
    if (!stopping() && ready.length > 0 && !(await proceed())) halted = true;
    if (!stopping()) {
      for (const step of ready) {
        waiting.delete(step);
        const task = runStep(step, context)
          .then((outcome) => finish(step, outcome))
          .then(
            (stepEnd) => {
              if (stepEnd) end = worseOf(end, stepEnd);
            },
            (error: unknown) => {
              fatal ??= { error };
            },
          )
          .finally(() => running.delete(step.id));
        running.set(step.id, task);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (fatal) throw fatal.error;
  // Stopped by shutdown (a failed dependency would have set `end` already).
  if (end.kind === 'completed' && waiting.size > 0) return { kind: 'interrupted' };
  return end;
}
