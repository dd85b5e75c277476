/** `run <plan.md> [--dry-run]`: execute one plan file now, in place, without the folder lifecycle. */
import path from 'node:path';
import { diskPlanFile } from '../../run/plan-file.js';
import { runPlan } from '../../run/run-plan.js';
import { formatProblem } from '../../plan/problems.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';
import { describeValidPlan } from '../../run/describe.js';

export interface RunOptions {
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
}

export async function runCommand(file: string, runtime: Runtime, io: Io, options: RunOptions): Promise<ExitCode> {
  const result = await runPlan(path.basename(file), diskPlanFile(file), {
    config: runtime.config,
    pool: runtime.pool,
    audit: runtime.audit,
    schemaChecker: runtime.schemaChecker,
    now: () => new Date(),
    dryRun: options.dryRun || runtime.config.execution.dryRun,
    signal: options.signal,
    stopSignal: options.signal,
  });
  switch (result.kind) {
    case 'invalid':
      io.out(`${file}: invalid, nothing was run:`);
      for (const problem of result.problems) io.out(`  ${formatProblem({ ...problem, file })}`);
      return EXIT.failed;
    case 'unavailable':
      io.out(`${file}: deferred until ${result.retryAt.toISOString()}, a server it needs is unavailable:`);
      for (const problem of result.problems) io.out(`  ${formatProblem({ ...problem, file })}`);
      return EXIT.failed;
    case 'dry_run':
      for (const line of describeValidPlan(file, result.plan)) io.out(line);
      io.out('dry run: no tool was called and the file was not changed');
      return EXIT.ok;
    case 'executed': {
      for (const step of result.plan.steps) {
        const outcome = result.report.steps.get(step.id);
        const what = outcome === undefined ? 'not run' : outcome.kind === 'succeeded' ? 'succeeded' : outcome.kind;
        const detail = outcome && 'error' in outcome ? `: ${outcome.error.type}: ${outcome.error.message}` : '';
        io.out(`  step ${step.index} ${step.server}.${step.tool}: ${what}${detail}`);
      }
      const end = result.report.outcome;
      io.out(`${file}: ${end.kind}${end.kind === 'deferred' ? ` until ${end.retryAt.toISOString()}` : ''}`);
      return end.kind === 'completed' ? EXIT.ok : EXIT.failed;
    }
    default: {
      const unreachable: never = result;
      throw new Error(`unknown run result ${JSON.stringify(unreachable)}`);
    }
  }
}
