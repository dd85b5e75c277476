/**
 * Runs claimed plans, at most `execution.maxConcurrentPlans` at once, one FIFO queue for new, due and
 * recovered plans alike, and settles each run (settle.ts): a final folder, a deferral with its timer,
 * or a release. One plan's trouble outside any call (a bug, a failed move) is that plan's: an ALERT,
 * and the plan stays in In_Progress/ for the next start. Only a journal failure stops the daemon.
 */
import PQueue from 'p-queue';
import type { AuditLog } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { messageOf } from '../core/text.js';
import type { FinalOutcome } from '../events/plan-outcome.js';
import type { StepResult } from '../events/step-result.js';
import type { CallGuard } from '../execution/call-guard.js';
import { JournalFatalError } from '../journal/errors.js';
import type { McpPool } from '../mcp/pool.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import { diskPlanFile } from '../run/plan-file.js';
import { runPlan } from '../run/run-plan.js';
import { ensureVaultFolders } from '../vault/folders.js';
import { definitionHashOf } from '../run/identify.js';
import type { Job } from './job.js';
import { inProgressPath } from './lifecycle.js';
import { settlementOf, type Settler } from './settle.js';

/** Runs `task` after `ms` unless the daemon is stopping (the daemon owns and clears the timers). */
export type Schedule = (ms: number, task: () => void) => void;

export interface RunnerOptions {
  readonly config: Config;
  /** Lists tools for validation: the guard in front of the pool, so a server that cannot start opens its breaker. */
  readonly catalog: Pick<McpPool, 'catalog'>;
  readonly guard: CallGuard;
  readonly settler: Settler;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly schemaChecker?: SchemaChecker;
  /** No new plan or step starts once aborted. */
  readonly stopSignal: AbortSignal;
  /** Cancels calls in flight (the grace period is over). */
  readonly hardSignal: AbortSignal;
  readonly schedule: Schedule;
  readonly onFatal: (error: unknown) => void;
}

export class PlanRunner {
  private readonly queue: PQueue;
  /** Plans queued or running, by claim: aborting one stops it before its next step (`cancel`). */
  private readonly active = new Map<string, AbortController>();
  /** Deferred plans waiting for their retry time, by claim. */
  private readonly waiting = new Map<string, Job>();

  constructor(private readonly options: RunnerOptions) {
    this.queue = new PQueue({ concurrency: options.config.execution.maxConcurrentPlans });
  }

  /** Resolves when no plan is running or waiting for a slot. */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  enqueue(job: Job): void {
    if (this.options.stopSignal.aborted) return;
    const claim = job.ref.claim;
    const cancel = this.active.get(claim) ?? new AbortController();
    this.active.set(claim, cancel);
    const announced = this.options.settler.emitterFor(job).emit({ type: 'queued' });
    // Into the queue at once (so `onIdle` counts it), announced before it runs.
    void this.queue
      .add(async () => {
        await announced;
        try {
          await this.run(job, cancel.signal);
        } finally {
          if (this.active.get(claim) === cancel) this.active.delete(claim);
        }
      })
      .catch(this.options.onFatal);
  }

  /** The plan waits in In_Progress/ until `retryAt`, then queues again. */
  wait(job: Job, retryAt: Date): void {
    this.waiting.set(job.ref.claim, job);
    // A few ms late rather than early: timers may fire a hair before the wall clock reaches retryAt.
    this.options.schedule(Math.max(0, retryAt.getTime() - this.options.clock.now().getTime() + 10), () => {
      if (this.waiting.get(job.ref.claim) !== job) return; // cancelled meanwhile, and queued at once
      this.waiting.delete(job.ref.claim);
      this.enqueue(job);
    });
  }

  /**
   * Stops a plan this daemon holds before its next step (the call in flight finishes and is recorded);
   * it then ends in Failed/ with `status: cancelled`. A deferred plan is taken up at once to end so.
   * False when the plan is not this daemon's (not claimed, or already settled).
   */
  cancel(claim: string, reason: string): boolean {
    const waiting = this.waiting.get(claim);
    if (waiting) {
      this.waiting.delete(claim);
      const cancel = new AbortController();
      cancel.abort(reason);
      this.active.set(claim, cancel);
      this.enqueue(waiting);
      return true;
    }
    const active = this.active.get(claim);
    if (!active) return false;
    if (!active.signal.aborted) active.abort(reason);
    return true;
  }

  private async run(job: Job, cancel: AbortSignal): Promise<void> {
    const { config, settler, audit } = this.options;
    if (this.options.stopSignal.aborted) return settler.release(job, 'the daemon stopped before the plan ran');
    if (cancel.aborted) return settler.finalize(job, 'Failed', cancelledOutcome(cancel));
    const approvedHash = definitionHashOf(job.approvedHash);
    let next: Job = job;
    try {
      const result = await runPlan(
        {
          file: job.ref.claim,
          store: diskPlanFile(inProgressPath(config.vault, job.ref.claim)),
          emitter: settler.emitterFor(job),
          carried: job.carried,
          ...(approvedHash !== undefined ? { approvedHash } : {}),
        },
        {
          config,
          catalog: this.options.catalog,
          guard: this.options.guard,
          clock: this.options.clock,
          signal: this.options.hardSignal,
          stopSignal: AbortSignal.any([this.options.stopSignal, cancel]),
          ...(this.options.schemaChecker ? { schemaChecker: this.options.schemaChecker } : {}),
        },
      );
      if (result.kind === 'dry_run') return;
      if (result.results) next = { ...job, carried: new Map<number, StepResult>(result.results) };
      // A cancelled plan that stopped before a step (or would wait for one) ends as cancelled; one whose
      // last step ended anyway keeps that end.
      const stopped = result.outcome.kind === 'interrupted' || result.outcome.kind === 'deferred';
      const outcome = cancel.aborted && stopped && !this.options.stopSignal.aborted ? cancelledOutcome(cancel) : result.outcome;
      const settlement = settlementOf(outcome, job, config.daemon.maxDeferMs);
      switch (settlement.kind) {
        case 'finalize':
          return await settler.finalize(next, settlement.folder, settlement.outcome);
        case 'defer':
          await settler.defer(next, settlement);
          return this.wait(next, settlement.retryAt);
        case 'release':
          return await settler.release(next, settlement.reason);
        default: {
          const unreachable: never = settlement;
          throw new Error(`unknown settlement ${JSON.stringify(unreachable)}`);
        }
      }
    } catch (error) {
      if (error instanceof JournalFatalError) throw error;
      // A bug, an unreadable file, a move that failed (a folder removed, permissions): one plan's
      // trouble, not the daemon's. It stays in In_Progress/ and the next start takes it up from the journal.
      audit.record({ event: 'ALERT', plan: job.ref.id, file: job.ref.claim, message: `could not go on with the plan, left in In_Progress/: ${messageOf(error)}` });
      await ensureVaultFolders(config.vault).catch(() => undefined);
      await settler.release(next, messageOf(error)).catch((again: unknown) => {
        if (again instanceof JournalFatalError) throw again;
      });
    }
  }
}

/** How a cancelled plan ends: Failed/, with `status: cancelled` and the reason given. */
function cancelledOutcome(cancel: AbortSignal): FinalOutcome {
  return { kind: 'failed', reason: `cancelled: ${String(cancel.reason)}`, cancelled: true };
}
