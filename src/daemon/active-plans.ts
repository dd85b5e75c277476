/**
 * The approvals this daemon holds, from their queueing until they settle, and those reserved by a claim
 * under way: the one place that says "never two runs of one approval". Each entry carries what stops
 * its run and what its settling still has to do.
 */
import type { FinalOutcome } from '../events/plan-outcome.js';
import type { ResolvedStep } from '../plan/validated.js';
import type { FinalFolder } from '../vault/folders.js';
import type { Job } from './job.js';

export interface ActivePlan {
  readonly job: Job;
  readonly cancel: AbortController;
  /** Set while it waits for a retry time. */
  timer?: () => void;
  /** Its end was decided but could not be carried out yet: a retry only does that (no `outcome`: plan_ended is out). */
  end?: { readonly folder: FinalFolder; outcome?: FinalOutcome };
  /** Asked to stop (`cancel_plan`): it ends in Failed/ with `status: cancelled` and this reason. */
  cancelledFor?: string;
  /** Its lease went to another node (SPEC §12): no step, record, file write or move of it any more. */
  lost?: string;
  /** Its next step's server is on another node (placement.ts): the run stopped before it, to hand it over. */
  handOff?: ResolvedStep;
}

/** Why a plan whose file a human moved or deleted out of In_Progress/ was let go. */
export const movedOut = 'its file was moved or deleted out of In_Progress/ while it ran: no further step started; moving it back continues it';

/** How a cancelled plan ends: Failed/, with `status: cancelled` and the reason given. */
export function cancelledOutcome(reason: string): FinalOutcome {
  return { kind: 'failed', reason: `cancelled: ${reason}`, cancelled: true };
}

export class ActivePlans {
  private readonly active = new Map<string, ActivePlan>();
  private readonly reserved = new Set<string>();

  has(approval: string): boolean {
    return this.active.has(approval) || this.reserved.has(approval);
  }

  /** Holds an approval for a claim under way; false when it is active already. */
  reserve(approval: string): boolean {
    if (this.has(approval)) return false;
    this.reserved.add(approval);
    return true;
  }

  unreserve(approval: string): void {
    this.reserved.delete(approval);
  }

  /** The entry of this job's approval: the existing one for the same claim, else a new one. */
  track(job: Job): ActivePlan {
    this.reserved.delete(job.ref.approval);
    const existing = this.active.get(job.ref.approval);
    if (existing && existing.job.ref.claim === job.ref.claim) return existing;
    const entry: ActivePlan = { job, cancel: new AbortController() };
    this.active.set(job.ref.approval, entry);
    return entry;
  }

  release(approval: string): void {
    this.active.delete(approval);
  }

  get(approval: string): ActivePlan | undefined {
    return this.active.get(approval);
  }

  byClaim(claim: string): ActivePlan | undefined {
    return [...this.active.values()].find((entry) => entry.job.ref.claim === claim);
  }

  approvals(): ReadonlySet<string> {
    return new Set(this.active.keys());
  }

  entries(): IterableIterator<[string, ActivePlan]> {
    return this.active.entries();
  }
}
