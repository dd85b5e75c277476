/**
 * `run <plan.md> [--dry-run]`: execute one plan file now, in place, without the folder lifecycle. Unlike
 * the daemon, `run` never waits and never retries later: a deferred plan is marked so in its file, and
 * the message says what `run` will not do and what to do instead.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EventStream, bestEffort, type PlanEmitter } from '../../events/event-stream.js';
import type { PlanOutcome } from '../../events/plan-outcome.js';
import type { StepOutcome } from '../../events/step-result.js';
import { unguarded } from '../../execution/call-guard.js';
import { formatProblem } from '../../plan/problems.js';
import { describeValidPlan } from '../../run/describe.js';
import { identifyPlan } from '../../run/identify.js';
import { diskPlanFile } from '../../run/plan-file.js';
import { planFileSubscriber } from '../../run/plan-file-sink.js';
import { runPlan } from '../../run/run-plan.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';
import { unreachable } from '../../core/errors.js';

interface RunOptions {
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
}

export async function runCommand(file: string, runtime: Runtime, io: Io, options: RunOptions): Promise<ExitCode> {
  const { config, clock } = runtime;
  const dryRun = options.dryRun || config.execution.dryRun;
  const stream = new EventStream(config.envValues);
  if (!dryRun) stream.subscribe(planFileSubscriber(() => file));
  for (const sink of runtime.sinks) stream.subscribe(bestEffort(sink, () => undefined));
  const steps = new Map<number, { readonly name: string; readonly outcome: StepOutcome }>();
  stream.subscribe((event) => {
    if (event.type === 'step_ended') steps.set(event.step.index, { name: `${event.step.server}.${event.step.tool}`, outcome: event.outcome });
  });
  const name = path.basename(file);
  // The id and approver every event names the plan by; an unreadable file fails in runPlan, with its reason.
  const bytes = await readFile(file).catch(() => new Uint8Array());
  const emitter = stream.for(identifyPlan(bytes, name, config.actions).ref, clock);
  const result = await runPlan(
    { file: name, store: diskPlanFile(file), emitter },
    {
      config,
      catalog: runtime.pool,
      guard: unguarded(runtime.pool),
      clock,
      schemaChecker: runtime.schemaChecker,
      signal: options.signal,
      stopSignal: options.signal,
      dryRun,
    },
  );
  if (result.kind === 'dry_run') {
    for (const line of describeValidPlan(file, result.valid)) io.out(line);
    io.out('dry run: no tool was called and the file was not changed');
    return EXIT.ok;
  }
  const { outcome } = result;
  if (!dryRun) await announceEnd(emitter, outcome);
  for (const [index, { name: tool, outcome: end }] of [...steps].sort(([a], [b]) => a - b)) {
    const detail = end.kind === 'succeeded' ? '' : `: ${end.error.type}: ${end.error.message}`;
    io.out(`  step ${index} ${tool}: ${end.kind}${detail}`);
  }
  switch (outcome.kind) {
    case 'completed':
      io.out(`${file}: completed`);
      return EXIT.ok;
    case 'failed':
      if (outcome.problems) {
        io.out(`${file}: invalid, nothing was run:`);
        for (const problem of outcome.problems) io.out(`  ${formatProblem({ ...problem, file })}`);
      } else io.out(`${file}: failed: ${outcome.reason}`);
      return EXIT.failed;
    case 'needs_review':
      io.out(`${file}: needs review: ${outcome.reason}`);
      return EXIT.failed;
    case 'deferred':
      io.out(`${file}: deferred until ${outcome.retryAt.toISOString()}: ${outcome.reason}`);
      io.out(`  nothing more was sent. \`run\` does not wait or retry: run it again after that time (steps ticked [x] are skipped), or move the plan into Approved/ for the daemon, which retries by itself`);
      return EXIT.failed;
    case 'interrupted':
      io.out(`${file}: stopped by a signal before every step ran; run it again to go on (steps ticked [x] are skipped)`);
      return EXIT.failed;
    default:
      unreachable(outcome, 'plan outcome');
  }
}

/** The plan file (and the logs) learn how the run ended: `run` has no folders to move it to. */
async function announceEnd(emitter: PlanEmitter, outcome: PlanOutcome): Promise<void> {
  switch (outcome.kind) {
    case 'completed':
    case 'failed':
    case 'needs_review':
      return emitter.emit({ type: 'plan_ended', outcome });
    case 'deferred': {
      const { cause } = outcome;
      return emitter.emit({ type: 'deferred', retryAt: outcome.retryAt, reason: outcome.reason, ...(cause ? { error: cause.error, step: cause.step } : {}) });
    }
    case 'interrupted':
      return emitter.emit({ type: 'released', reason: 'stopped by a signal before every step ran' });
    default:
      unreachable(outcome, 'plan outcome');
  }
}
