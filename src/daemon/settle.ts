/**
 * What happens to a plan once a run of it is over: into a final folder, back to wait for its retry
 * time, or left in In_Progress/ for the next start. The decision is pure (`settlementOf`); `Settler`
 * announces it and makes the move: plan_ended is durable (journal, plan file) before the rename.
 */
import type { StepError } from '../core/errors.js';
import type { EventStream, PlanEmitter } from '../events/event-stream.js';
import { waitsPatiently, type FinalOutcome, type PlanOutcome } from '../events/plan-outcome.js';
import type { ResolvedStep } from '../plan/validated.js';
import type { FinalFolder } from '../vault/folders.js';
import type { Clock } from '../core/clock.js';
import { formatDuration } from '../core/duration.js';
import type { Job } from './job.js';
import { moveToFinal } from './lifecycle.js';

export type Settlement =
  | { readonly kind: 'finalize'; readonly folder: FinalFolder; readonly outcome: FinalOutcome }
  | { readonly kind: 'defer'; readonly retryAt: Date; readonly reason: string; readonly error?: StepError; readonly step?: ResolvedStep }
  | { readonly kind: 'release'; readonly reason: string };

const FOLDER_OF: Readonly<Record<FinalOutcome['kind'], FinalFolder>> = { completed: 'Done', failed: 'Failed', needs_review: 'Needs_Review' };

/** Where a run's outcome takes the plan. A deferral past `maxDeferMs` since the claim gives up. Pure. */
export function settlementOf(outcome: PlanOutcome, job: Pick<Job, 'claimedAt'>, maxDeferMs: number): Settlement {
  switch (outcome.kind) {
    case 'completed':
    case 'failed':
    case 'needs_review':
      return { kind: 'finalize', folder: FOLDER_OF[outcome.kind], outcome };
    case 'deferred': {
      // Our own rate limit only ever delays a plan: it is never a reason to give up on it.
      if (!waitsPatiently(outcome) && outcome.retryAt.getTime() - job.claimedAt.getTime() > maxDeferMs) {
        const reason = `deferred for longer than ${formatDuration(maxDeferMs)}: ${outcome.reason}`;
        return { kind: 'finalize', folder: 'Failed', outcome: { kind: 'failed', reason, ...(outcome.cause ? { cause: outcome.cause } : {}) } };
      }
      return {
        kind: 'defer',
        retryAt: outcome.retryAt,
        reason: outcome.reason,
        ...(outcome.cause ? { error: outcome.cause.error, step: outcome.cause.step } : {}),
      };
    }
    case 'interrupted':
      return { kind: 'release', reason: 'the daemon stopped before every step ran; it resumes at the next start' };
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown plan outcome ${JSON.stringify(unreachable)}`);
    }
  }
}

export interface SettlerOptions {
  readonly vault: string;
  readonly stream: EventStream;
  readonly clock: Clock;
  /** Called once the plan is in its final folder (the crash-matrix tests stop the daemon there). */
  readonly afterMove?: () => void;
  /** Several hosts: runs a move while no other node moves into the same folder (cluster/leases.ts). */
  readonly exclusive?: <T>(key: string, work: () => Promise<T>) => Promise<T>;
}

export class Settler {
  constructor(private readonly options: SettlerOptions) {}

  emitterFor(job: Job): PlanEmitter {
    return this.options.stream.for(job.ref, this.options.clock);
  }

  /** The end, durable, then the move. */
  async finalize(job: Job, folder: FinalFolder, outcome: FinalOutcome): Promise<void> {
    await this.end(job, folder, outcome);
    await this.move(job, folder);
  }

  /** The end, durable (journal first, then the plan file's final fields) before any move. */
  async end(job: Job, folder: FinalFolder, outcome: FinalOutcome): Promise<void> {
    await this.emitterFor(job).emit({ type: 'plan_ended', outcome, folder });
  }

  /** Only the move: the end was recorded before a crash cut it short. */
  async move(job: Job, folder: FinalFolder): Promise<void> {
    const move = () => moveToFinal(this.options.vault, job.ref.claim, folder);
    // The check for a free name and the rename must not interleave with another node's into the same folder.
    const path = this.options.exclusive ? await this.options.exclusive(`move:${folder}`, move) : await move();
    this.options.afterMove?.();
    await this.emitterFor(job).emit({ type: 'plan_moved', folder, path });
  }

  async defer(job: Job, settlement: Extract<Settlement, { kind: 'defer' }>): Promise<void> {
    const { retryAt, reason, error, step } = settlement;
    await this.emitterFor(job).emit({ type: 'deferred', retryAt, reason, ...(error ? { error } : {}), ...(step ? { step } : {}) });
  }

  async release(job: Job, reason: string, retryAt?: Date, handedOver?: boolean): Promise<void> {
    await this.emitterFor(job).emit({ type: 'released', reason, ...(retryAt ? { retryAt } : {}), ...(handedOver ? { handedOver } : {}) });
  }
}
