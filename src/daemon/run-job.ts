/**
 * One claimed plan's run through `runPlan`, as the runner starts it: what the journal knows of the
 * approval (succeeded steps carried, unknown outcomes), the hash that was approved, the check before
 * each step that its file is still in In_Progress/, and with several hosts which steps run on this node
 * (placement.ts). How the run then settles is the runner's.
 */
import { continuationOf } from '../journal/decide-recovery.js';
import type { ResolvedStep } from '../plan/validated.js';
import { definitionHashOf } from '../run/identify.js';
import { diskPlanFile } from '../run/plan-file.js';
import { runPlan, type RunResult } from '../run/run-plan.js';
import { exists } from '../vault/fs.js';
import type { ActivePlan } from './active-plans.js';
import type { Job } from './job.js';
import { inProgressPath } from './lifecycle.js';
import type { RunnerOptions } from './runner.js';

export function runJob(options: RunnerOptions, job: Job, control: ActivePlan, stop: AbortSignal): Promise<RunResult> {
  const { config, settler, book, placement } = options;
  const file = inProgressPath(config.vault, job.ref.claim);
  const state = book.get(job.ref.approval);
  const approvedHash = definitionHashOf(job.approvedHash);
  delete control.handOff;
  return runPlan(
    {
      file: job.ref.claim,
      store: diskPlanFile(file),
      emitter: settler.emitterFor(job),
      ...(state ? { continuation: continuationOf(state) } : {}),
      ...(approvedHash !== undefined ? { approvedHash } : {}),
      proceed: async () => {
        if (!control.cancel.signal.aborted && !(await present(file))) control.cancel.abort();
        return !control.cancel.signal.aborted;
      },
      ...(placement ? { here: (step: ResolvedStep) => placement.here(step, control) } : {}),
    },
    {
      config,
      catalog: options.catalog,
      guard: options.guard,
      clock: options.clock,
      signal: options.hardSignal,
      stopSignal: stop,
      ...(options.schemaChecker ? { schemaChecker: options.schemaChecker } : {}),
    },
  );
}

/** Only a file known to be gone cancels its run: an error looking (EACCES, EIO) is not taken for a move. */
export async function present(file: string): Promise<boolean> {
  return exists(file).catch(() => true);
}
