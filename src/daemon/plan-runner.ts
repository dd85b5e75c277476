/**
 * Takes claimed plans through their run and into a final folder, or defers them; carries out the
 * start-up recovery decisions. One PlanRunner per daemon; its queue bounds plans run at once.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type PQueue from 'p-queue';
import type { AuditLog } from '../audit/logger.js';
import type { Config } from '../config/schema.js';
import type { CallGuard } from '../execution/call-guard.js';
import { HeldBackError } from '../execution/errors.js';
import type { StepResult } from '../execution/outcome.js';
import { JournalFatalError, type FinalFolder, type JournalWriter } from '../journal/index.js';
import type { McpPool } from '../mcp/pool.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import { formatProblem } from '../plan/problems.js';
import { planIdOf } from '../run/final-status.js';
import { diskPlanFile, PlanFileWriter } from '../run/plan-file.js';
import { runPlan, type RunResult } from '../run/run-plan.js';
import { ensureVaultFolders, isPlanFileName } from '../vault/index.js';
import type { CrashHook } from './crash-points.js';
import { journalObserver } from './journal-observer.js';
import { deferPlan, finalizePlan, inProgressPath, recordClaim, type Claim, type Lifecycle } from './lifecycle.js';
import type { PlanEvents, PlanTracker } from './plan-tracker.js';
import type { RecoveredClaim } from './recovery.js';

export interface RunnerOptions {
  readonly config: Config;
  /** The pool, or the GuardedCaller in front of it. */
  readonly pool: Pick<McpPool, 'catalog' | 'callTool'>;
  /** Circuit breakers and rate limits (monitor.ts); absent in a dry run. */
  readonly guard?: CallGuard;
  /** The dashboard's tracker; absent in a dry run. */
  readonly tracker?: Pick<PlanTracker, 'observer'> & PlanEvents;
  readonly audit: AuditLog;
  readonly now: () => Date;
  readonly schemaChecker?: SchemaChecker;
  readonly journal: JournalWriter;
  readonly queue: PQueue;
  readonly stopSignal: AbortSignal;
  readonly hardSignal: AbortSignal;
  readonly onFatal: (error: unknown) => void;
  readonly schedule: (ms: number, task: () => void) => void;
  readonly crash: CrashHook;
}

/** A claimed plan the runner is responsible for. */
interface Job {
  readonly claim: string;
  readonly plan: string;
  readonly claimedAt: Date;
  /** Results of steps that already succeeded, by step index: never sent again, fed to templates. */
  readonly previous: Map<number, StepResult>;
}

export class PlanRunner {
  /** The journaled folder moves, shared with admission. */
  readonly life: Lifecycle;

  constructor(private readonly options: RunnerOptions) {
    const { config, journal, audit, now, crash } = options;
    this.life = { vault: config.vault, journal, audit, now, crash };
  }

  /** Carries out the start-up recovery decisions. */
  async recover(claims: readonly RecoveredClaim[]): Promise<void> {
    for (const { claim, state, decision } of claims) {
      const job: Job = {
        claim,
        plan: state?.plan ?? planIdOf(claim),
        claimedAt: state?.claimedAt ? new Date(state.claimedAt) : this.options.now(),
        previous: new Map(
          [...(state?.completed.values() ?? [])].map((step) => [step.step, { text: step.text ?? '', structured: step.structured }]),
        ),
      };
      switch (decision.kind) {
        case 'unjournaled':
          await recordClaim(this.life, claim, job);
          this.enqueue(job);
          break;
        case 'resume':
        case 'retry_in_flight':
          this.enqueue(job);
          break;
        case 'deferred':
          this.wait(job, new Date(decision.retryAt));
          break;
        case 'needs_review':
          await this.endWithStatus(job, 'Needs_Review', 'needs_review', `step ${decision.step}: ${decision.reason}`);
          break;
        case 'finalize':
          await this.finalize(job, decision.folder);
          break;
        case 'forget':
          break;
        case 'missing':
          this.options.audit.record({ event: 'ALERT', plan: job.plan, message: decision.reason });
          break;
        default: {
          const unreachable: never = decision;
          throw new Error(`unknown recovery decision ${JSON.stringify(unreachable)}`);
        }
      }
    }
  }

  /** Takes over a plan just claimed from Approved/. */
  start(claimed: Claim): void {
    this.enqueue({ claim: claimed.name, plan: claimed.plan, claimedAt: claimed.claimedAt, previous: new Map() });
  }

  private enqueue(job: Job): void {
    if (this.options.stopSignal.aborted) return;
    this.options.tracker?.queued(job.claim);
    void this.options.queue.add(() => this.run(job)).catch(this.options.onFatal);
  }

  private async run(job: Job): Promise<void> {
    const { config, pool, audit, now, tracker } = this.options;
    if (this.options.stopSignal.aborted) return tracker?.released(job.claim);
    tracker?.running(job.claim);
    let result: RunResult;
    try {
      result = await runPlan(job.claim, diskPlanFile(inProgressPath(config.vault, job.claim)), {
        config,
        pool,
        audit,
        now,
        signal: this.options.hardSignal,
        stopSignal: this.options.stopSignal,
        observers: [
          journalObserver(this.options.journal, job.claim, now, this.options.crash),
          ...(tracker ? [tracker.observer(job.claim)] : []),
        ],
        ...(this.options.guard ? { guard: this.options.guard } : {}),
        previous: job.previous,
        ...(this.options.schemaChecker ? { schemaChecker: this.options.schemaChecker } : {}),
      });
    } catch (error) {
      if (error instanceof JournalFatalError) throw error;
      // A bug or an I/O error outside any call: keep the plan where it is; the next start resumes it.
      audit.record({ event: 'ALERT', plan: job.plan, message: `run stopped, plan left in In_Progress/: ${String(error)}` });
      return tracker?.released(job.claim);
    }
    try {
      await this.settle(job, result);
    } catch (error) {
      if (error instanceof JournalFatalError) throw error;
      // The move to a final folder failed (a folder removed, permissions): one plan's trouble, not the
      // daemon's. It stays in In_Progress/ and the next start finishes it from the journal.
      audit.record({ event: 'ALERT', plan: job.plan, message: `could not finish the plan, left in In_Progress/: ${String(error)}` });
      await ensureVaultFolders(config.vault).catch(() => undefined);
      tracker?.released(job.claim);
    }
  }

  private async settle(job: Job, result: RunResult): Promise<void> {
    switch (result.kind) {
      case 'invalid':
        this.options.tracker?.action(job.claim, '(invalid plan)', 'failed');
        await this.finalize(job, 'Failed', result.planId);
        return;
      case 'unavailable':
        this.options.tracker?.action(job.claim, '(server unavailable)', 'deferred');
        await this.defer(job, result.retryAt, result.problems.map(formatProblem).join(' | '));
        return;
      case 'dry_run':
        return;
      case 'executed': {
        for (const step of result.plan.steps) {
          const outcome = result.report.steps.get(step.id);
          if (outcome?.kind === 'succeeded') job.previous.set(step.index, { text: outcome.text, structured: outcome.structured });
        }
        const end = result.report.outcome;
        switch (end.kind) {
          case 'completed':
            return this.finalize(job, 'Done');
          case 'failed':
            return this.finalize(job, 'Failed');
          case 'needs_review':
            return this.finalize(job, 'Needs_Review');
          case 'deferred': {
            // Our own rate limit only ever delays a plan: it is never a reason to give up on it.
            const patient = end.error instanceof HeldBackError && end.error.reason === 'rate_limit';
            return this.defer(job, end.retryAt, `${end.error.type}: ${end.error.message}`, patient);
          }
          case 'interrupted':
            // Stays in In_Progress/; the next start resumes it from the journal.
            return this.options.tracker?.released(job.claim);
          default: {
            const unreachable: never = end;
            throw new Error(`unknown plan outcome ${JSON.stringify(unreachable)}`);
          }
        }
      }
      default: {
        const unreachable: never = result;
        throw new Error(`unknown run result ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private async defer(job: Job, retryAt: Date, reason: string, patient = false): Promise<void> {
    const maxAge = this.options.config.daemon.maxDeferMs;
    if (!patient && retryAt.getTime() - job.claimedAt.getTime() > maxAge) {
      await this.endWithStatus(job, 'Failed', 'failed', `deferred for longer than ${Math.round(maxAge / 60_000)} min: ${reason}`);
      return;
    }
    await deferPlan(this.life, job.claim, retryAt, reason);
    this.wait(job, retryAt);
  }

  private wait(job: Job, retryAt: Date): void {
    this.options.tracker?.deferred(job.claim, retryAt);
    // A few ms late rather than early: timers may fire a hair before the wall clock reaches retryAt.
    this.options.schedule(Math.max(0, retryAt.getTime() - this.options.now().getTime() + 10), () => this.enqueue(job));
  }

  /** Writes the status and error into the plan file, then moves it to `folder`. */
  private async endWithStatus(job: Job, folder: FinalFolder, status: string, error: string): Promise<void> {
    const file = inProgressPath(this.options.config.vault, job.claim);
    const text = await readFile(file, 'utf8');
    const at = this.options.now().toISOString();
    await new PlanFileWriter(diskPlanFile(file), text).update({ fields: { status, error, failed_at: at } });
    this.options.audit.record({ event: 'FAILED', plan: job.plan, status, message: error });
    this.options.tracker?.action(job.claim, '(plan)', status === 'needs_review' ? 'needs_review' : 'failed');
    await this.finalize(job, folder);
  }

  private async finalize(job: Job, folder: FinalFolder, plan = job.plan): Promise<void> {
    await finalizePlan(this.life, job.claim, folder, plan);
    this.options.tracker?.finished(job.claim, folder);
    const { journal, config } = this.options;
    if (journal.size > config.daemon.journalMaxBytes) {
      // Live claims are exactly the plan files in In_Progress/ (claimed by rename before any record).
      const inProgress = path.join(config.vault, 'In_Progress');
      void journal.compactLive(async () => (await readdir(inProgress)).filter(isPlanFileName)).catch(this.options.onFatal);
    }
  }
}
