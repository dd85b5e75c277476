/**
 * Runs a validated plan's steps: in file order (sequential), or each as soon as its dependencies have
 * succeeded (parallel, bounded by each server's queue in the pool). The first step that ends badly
 * stops new steps from starting; steps already running finish.
 */
import { planValues } from '../plan/templates.js';
import type { ResolvedStep, ValidPlan } from '../plan/validated.js';
import { planOutcomeOf, worseOf, type PlanOutcome, type PlanReport, type StepOutcome, type StepResult } from './outcome.js';
import { runStep, type StepContext } from './run-step.js';

export interface PlanContext extends Omit<StepContext, 'results' | 'planFields'> {
  /** Results of steps that succeeded in an earlier run (from the journal): never sent again. */
  readonly previous?: ReadonlyMap<string, StepResult>;
  /** Aborted when shutdown begins: no new step starts, running ones finish. */
  readonly stopSignal?: AbortSignal;
}

export async function executePlan(plan: ValidPlan, context: PlanContext): Promise<PlanReport> {
  const results = new Map<string, StepResult>(context.previous ?? []);
  const outcomes = new Map<string, StepOutcome>();
  const stepContext: StepContext = { ...context, results, planFields: planValues(plan.plan) };
  const pending = plan.steps.filter((step) => !results.has(step.id));

  const finish = async (step: ResolvedStep, outcome: StepOutcome): Promise<PlanOutcome | undefined> => {
    outcomes.set(step.id, outcome);
    if (outcome.kind === 'succeeded') results.set(step.id, { text: outcome.text, structured: outcome.structured });
    await context.observer.stepFinished(step, outcome);
    return planOutcomeOf(step, outcome);
  };

  const outcome =
    plan.mode === 'parallel'
      ? await runParallel(pending, results, stepContext, context.stopSignal, finish)
      : await runSequential(pending, stepContext, context.stopSignal, finish);
  return { outcome, steps: outcomes };
}

type Finish = (step: ResolvedStep, outcome: StepOutcome) => Promise<PlanOutcome | undefined>;

async function runSequential(
  steps: readonly ResolvedStep[],
  context: StepContext,
  stop: AbortSignal | undefined,
  finish: Finish,
): Promise<PlanOutcome> {
  for (const step of steps) {
    if (stop?.aborted) return { kind: 'interrupted' };
    const end = await finish(step, await runStep(step, context));
    if (end) return end;
  }
  return { kind: 'completed' };
}

async function runParallel(
  steps: readonly ResolvedStep[],
  results: ReadonlyMap<string, StepResult>,
  context: StepContext,
  stop: AbortSignal | undefined,
  finish: Finish,
): Promise<PlanOutcome> {
  const waiting = new Set(steps);
  const pendingIds = new Set(steps.map((step) => step.id));
  const running = new Map<string, Promise<void>>();
  let end: PlanOutcome = { kind: 'completed' };
  // An observer failure (say, the journal cannot fsync) must surface once, after running steps settle.
  let fatal: { error: unknown } | undefined;
  // A dependency outside this run (a step already done) counts as met.
  const ready = (step: ResolvedStep): boolean =>
    step.dependsOn.every((id) => results.has(id) || !pendingIds.has(id));

  for (;;) {
    const stopping = end.kind !== 'completed' || stop?.aborted === true || fatal !== undefined;
    if (!stopping) {
      for (const step of waiting) {
        if (!ready(step)) continue;
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
  if (end.kind === 'completed' && waiting.size > 0) {
    // Stopped by shutdown (a failed dependency would have set `end` already).
    return { kind: 'interrupted' };
  }
  return end;
}
