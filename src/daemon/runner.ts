/**
 * Runs claimed plans, at most `execution.maxConcurrentPlans` at once, one FIFO queue for new, due and
 * recovered plans alike, and settles each run (settle.ts): a final folder, a deferral with its timer,
 * or a release. Never two runs of one approval: a plan is active from its queueing until it settles,
 * and the intake takes a file of an active approval only once it has settled.
 *
 * A plan whose file is moved or deleted out of In_Progress/ by someone is cancelled: the call in flight
 * finishes and is recorded, no further step starts, and its file is never recreated. One plan's trouble
 * outside any call (a bug, a failed move) is that plan's: an ALERT, and the run is tried again later.
 */
import PQueue from 'p-queue';
import type { AuditLog } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { CallGuard } from '../execution/call-guard.js';
import { JournalFatalError, LeaseLostError } from '../journal/errors.js';
import type { McpPool } from '../mcp/pool.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import { ensureVaultFolders } from '../vault/folders.js';
import type { ApprovalBook } from './approvals.js';
import type { Job } from './job.js';
import { inProgressPath } from './lifecycle.js';
import type { FinalFolder } from '../vault/folders.js';
import { ActivePlans, cancelledOutcome, movedOut, type ActivePlan } from './active-plans.js';
import type { Placement } from './placement.js';
import { present, runJob } from './run-job.js';
import { retryAfterTrouble, settlementAfterRun, type Settler } from './settle.js';
import { unreachable } from '../core/errors.js';

/** Runs `task` after `ms` unless the daemon is stopping; returns what cancels it (the daemon clears the rest at stop). */
export type Schedule = (ms: number, task: () => void) => () => void;

export interface RunnerOptions {
  readonly config: Config;
  /** Lists tools for validation: the guard in front of the pool, so a server that cannot start opens its breaker. */
  readonly catalog: Pick<McpPool, 'catalog'>;
  readonly guard: CallGuard;
  readonly settler: Settler;
  readonly book: ApprovalBook;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly schemaChecker?: SchemaChecker;
  /** No new plan or step starts once aborted. */
  readonly stopSignal: AbortSignal;
  /** Cancels calls in flight (the grace period is over). */
  readonly hardSignal: AbortSignal;
  readonly schedule: Schedule;
  readonly onFatal: (error: unknown) => void;
  /** An approval (its claim file) is no longer active (settled, released, cancelled or let go): a waiting re-approval may go. */
  readonly onSettled: (approval: string, claim: string | undefined) => void;
  /** Several hosts: which steps run here, and the hand-off of the others (placement.ts). */
  readonly placement?: Placement;
}

export class PlanRunner {
  private readonly queue: PQueue;
  private readonly active = new ActivePlans();

  constructor(private readonly options: RunnerOptions) {
    this.queue = new PQueue({ concurrency: options.config.execution.maxConcurrentPlans });
  }

  /** Resolves when no plan is running or waiting for a slot. */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  /** A plan queued now would start at once (fewer running or waiting for a slot than the concurrency). */
  hasRoom(): boolean {
    return this.queue.size + this.queue.pending < this.options.config.execution.maxConcurrentPlans;
  }

  isActive(approval: string): boolean {
    return this.active.has(approval);
  }

  /**
   * Holds an approval for a claim under way (between the check and its enqueue, which await the disk):
   * false when it is active already, so no two paths ever run one approval.
   */
  reserve(approval: string): boolean {
    return this.active.reserve(approval);
  }

  unreserve(approval: string): void {
    this.active.unreserve(approval);
  }

  /** A plan whose end is recorded but whose move did not happen (a crash, a folder not writable): only the move is left. */
  finishMove(job: Job, folder: FinalFolder): void {
    const control = this.active.track(job);
    control.end = { folder };
    this.enqueue(job);
  }

  activeApprovals(): ReadonlySet<string> {
    return this.active.approvals();
  }

  enqueue(job: Job, attempt = 0): void {
    if (this.options.stopSignal.aborted) return;
    const control = this.active.track(job);
    const announced = this.options.settler.emitterFor(job).emit({ type: 'queued' });
    // Into the queue at once (so `onIdle` counts it), announced before it runs.
    void this.queue
      .add(async () => {
        try {
          await announced;
        } catch (error) {
          if (!(error instanceof LeaseLostError)) throw error;
          return this.lose(job.ref.approval, control, error.message);
        }
        await this.run(job, control, attempt);
      })
      .catch(this.options.onFatal);
  }

  /** The plan waits in In_Progress/ until `retryAt`, then queues again. */
  wait(job: Job, retryAt: Date, attempt = 0): void {
    const control = this.active.track(job);
    // A few ms late rather than early: timers may fire a hair before the wall clock reaches retryAt.
    control.timer = this.options.schedule(Math.max(0, retryAt.getTime() - this.options.clock.now().getTime() + 10), () => {
      delete control.timer;
      this.enqueue(job, attempt);
    });
  }

  /** Cancels the plans whose files are no longer in In_Progress/ (a human moved or deleted them). */
  async checkFiles(): Promise<void> {
    for (const [approval, control] of [...this.active.entries()]) {
      if (await present(inProgressPath(this.options.config.vault, control.job.ref.claim))) continue;
      control.cancel.abort();
      if (stopTimer(control)) {
        await this.options.settler.release(control.job, movedOut).catch(this.options.onFatal);
        this.settled(approval);
      }
    }
  }

  /**
   * Stops a plan this daemon holds before its next step (the call in flight finishes and is recorded);
   * it then ends in Failed/ with `status: cancelled`. A deferred plan is taken up at once to end so.
   * False when the plan is not this daemon's (not claimed, or already settled).
   */
  cancel(claim: string, reason: string): boolean {
    const control = this.active.byClaim(claim);
    if (!control) return false;
    control.cancelledFor ??= reason;
    control.cancel.abort();
    if (stopTimer(control)) {
      this.enqueue(control.job);
    }
    return true;
  }

  /**
   * Another node holds this plan's lease now (cluster mode): it is let go here at once, without a
   * step, a record, a write to its file or a move; the call in flight, if any, is cancelled.
   */
  drop(approval: string, reason: string): void {
    const control = this.active.get(approval);
    if (!control) return;
    control.lost ??= reason;
    control.cancel.abort();
    if (stopTimer(control)) {
      this.lose(approval, control, reason);
    }
  }

  private lose(approval: string, control: ActivePlan, reason: string): void {
    control.lost ??= reason;
    this.options.audit.record({ event: 'ALERT', plan: control.job.ref.id, file: control.job.ref.claim, message: `let go: ${reason}` });
    this.settled(approval);
  }

  private settled(approval: string): void {
    const claim = this.active.get(approval)?.job.ref.claim;
    this.active.release(approval);
    this.options.onSettled(approval, claim);
  }

  private async run(job: Job, control: ActivePlan, attempt: number): Promise<void> {
    const { config, settler, audit } = this.options;
    const file = inProgressPath(config.vault, job.ref.claim);
    const stop = AbortSignal.any([this.options.stopSignal, control.cancel.signal]);
    let waiting = false;
    try {
      if (control.lost !== undefined) return;
      if (control.cancelledFor !== undefined && !this.options.stopSignal.aborted && !control.end) {
        control.end = { folder: 'Failed', outcome: cancelledOutcome(control.cancelledFor) };
      }
      if (control.end) return await settler.finish(job, control.end, () => control.lost === undefined);
      if (stop.aborted) return await settler.release(job, control.cancel.signal.aborted ? movedOut : 'the daemon stopped before the plan ran');
      const placement = this.options.placement;
      const result = await runJob(this.options, job, control, stop);
      if (result.kind === 'dry_run' || control.lost !== undefined) return;
      if (placement && control.handOff && result.outcome.kind === 'interrupted' && !stop.aborted) return await placement.handOver(job, control.handOff);
      const settlement = settlementAfterRun(result.outcome, {
        job,
        maxDeferMs: config.daemon.maxDeferMs,
        ...(control.cancelledFor !== undefined ? { cancelledFor: control.cancelledFor } : {}),
        interrupted: control.cancel.signal.aborted,
        stopping: this.options.stopSignal.aborted,
      });
      switch (settlement.kind) {
        case 'finalize':
          control.end = { folder: settlement.folder, outcome: settlement.outcome };
          return await settler.finish(job, control.end, () => control.lost === undefined);
        case 'defer':
          await settler.defer(job, settlement);
          waiting = true;
          return this.wait(job, settlement.retryAt);
        case 'release':
          return await settler.release(job, settlement.reason);
        default:
          unreachable(settlement, 'settlement');
      }
    } catch (error) {
      if (error instanceof JournalFatalError) throw error;
      if (error instanceof LeaseLostError || control.lost !== undefined) {
        control.lost ??= error instanceof Error ? error.message : 'lease lost';
        this.options.audit.record({ event: 'ALERT', plan: job.ref.id, file: job.ref.claim, message: `let go: ${control.lost}` });
        return;
      }
      if (!(await present(file))) return await settler.release(job, movedOut).catch(() => undefined);
      // A bug, an unreadable file, a move that failed (a folder not writable, a full disk): one plan's
      // trouble, not the daemon's. It waits in In_Progress/ and is tried again, without a restart.
      const { retryAt, reason } = retryAfterTrouble(error, attempt, this.options.clock.now());
      audit.record({ event: 'ALERT', plan: job.ref.id, file: job.ref.claim, message: reason });
      await ensureVaultFolders(config.vault).catch(() => undefined);
      await settler.release(job, reason, retryAt).catch((again: unknown) => {
        if (again instanceof JournalFatalError) throw again;
      });
      waiting = true;
      this.wait(job, retryAt, attempt + 1);
    } finally {
      if (!waiting) this.settled(job.ref.approval);
    }
  }
}

/** A plan waiting for its retry time waits no more: true when it was waiting. */
function stopTimer(control: ActivePlan): boolean {
  if (!control.timer) return false;
  control.timer();
  delete control.timer;
  return true;
}
