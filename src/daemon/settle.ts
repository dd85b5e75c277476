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
import { messageOf } from '../core/text.js';
import type { Job } from './job.js';
import { cancelledOutcome, movedOut } from './active-plans.js';
import { moveToFinal } from './lifecycle.js';
import { unreachable } from '../core/errors.js';

type Settlement =
  | { readonly kind: 'finalize'; readonly folder: FinalFolder; readonly outcome: FinalOutcome }
  | { readonly kind: 'defer'; readonly retryAt: Date; readonly reason: string; readonly error?: StepError; readonly step?: ResolvedStep }
  | { readonly kind: 'release'; readonly reason: string };

const FOLDER_OF: Readonly<Record<FinalOutcome['kind'], FinalFolder>> = { completed: 'Done', failed: 'Failed', needs_review: 'Needs_Review' };

/** Where a run's outcome takes the plan. A deferral past `maxDeferMs` since the claim gives up. Pure. */
function settlementOf(outcome: PlanOutcome, job: Pick<Job, 'claimedAt'>, maxDeferMs: number): Settlement {
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
    default:
      unreachable(outcome, 'plan outcome');
  }
}

/** What a run stopped short of, besides its outcome (runner.ts). */
interface RunEnding {
  readonly job: Pick<Job, 'claimedAt'>;
  readonly maxDeferMs: number;
  /** Someone cancelled the plan (cancel_plan), for this reason. */
  readonly cancelledFor?: string;
  /** The plan's own stop signal fired: cancelled, or its file moved out of In_Progress/. */
  readonly interrupted: boolean;
  /** The daemon is stopping. */
  readonly stopping: boolean;
}

/**
 * A cancelled plan that stopped before a step (or would wait for one) ends as cancelled; one whose last
 * step ended anyway keeps that end. One whose file was moved away is let go. Pure.
 */
export function settlementAfterRun(outcome: PlanOutcome, ending: RunEnding): Settlement {
  const stopped = outcome.kind === 'interrupted' || outcome.kind === 'deferred';
  const cancelled = ending.cancelledFor !== undefined && stopped && !ending.stopping;
  if (!cancelled && ending.interrupted && outcome.kind === 'interrupted') return { kind: 'release', reason: movedOut };
  return settlementOf(cancelled ? cancelledOutcome(ending.cancelledFor as string) : outcome, ending.job, ending.maxDeferMs);
}

/** How long a plan whose run or settling failed (a folder not writable, a full disk) waits before trying again. */
const RETRY_SETTLE_MS = [5_000, 15_000, 60_000, 300_000];

/** When, and with what reason, a plan that hit trouble outside any call is tried again. Pure. */
export function retryAfterTrouble(error: unknown, attempt: number, now: Date): { readonly retryAt: Date; readonly reason: string } {
  const delay = RETRY_SETTLE_MS[Math.min(attempt, RETRY_SETTLE_MS.length - 1)] as number;
  const retryAt = new Date(now.getTime() + delay);
  return { retryAt, reason: `could not go on with the plan (${messageOf(error)}); it waits in In_Progress/ and is tried again at ${retryAt.toISOString()}` };
}

interface SettlerOptions {
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
  finalize(job: Job, folder: FinalFolder, outcome: FinalOutcome): Promise<void> {
    return this.finish(job, { folder, outcome }, () => true);
  }

  /**
   * The end, durable (journal first, then the plan file's final fields), then the move; each done once,
   * however often it is retried (`end.outcome` is dropped once recorded). A plan let go meanwhile —
   * asked after the end is recorded, since a lease may be lost while it is — is not moved.
   */
  async finish(job: Job, end: { readonly folder: FinalFolder; outcome?: FinalOutcome }, stillHeld: () => boolean): Promise<void> {
    if (end.outcome) {
      await this.emitterFor(job).emit({ type: 'plan_ended', outcome: end.outcome, folder: end.folder });
      delete end.outcome;
    }
    if (stillHeld()) await this.move(job, end.folder);
  }

  /** Only the move: the end was recorded before a crash cut it short. */
  private async move(job: Job, folder: FinalFolder): Promise<void> {
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
