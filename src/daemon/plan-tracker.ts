/**
 * What the daemon is doing with its plans, as the dashboard and the alert rules see it: which claims
 * wait, run or are deferred, which plans finished when, and the last actions. Fed by PlanRunner
 * (PlanEvents) and by an ExecutionObserver per plan; read as a plain snapshot.
 */
import type { ExecutionObserver } from '../execution/observer.js';
import type { StepOutcome } from '../execution/outcome.js';
import type { FinalFolder } from '../vault/index.js';

export type RecentOutcome = 'success' | 'failed' | 'needs_review' | 'deferred';

export interface RecentAction {
  readonly at: Date;
  /** The action name, or `server.tool` for a step that named its tool directly. */
  readonly action: string;
  readonly outcome: RecentOutcome;
  /** The plan's file name. */
  readonly file: string;
}

export interface FinishedPlan {
  readonly at: Date;
  readonly folder: FinalFolder;
  readonly file: string;
}

/** Notifications from PlanRunner. */
export interface PlanEvents {
  /** Claimed (or due again) and waiting for a free slot in the plan queue. */
  queued(claim: string): void;
  running(claim: string): void;
  deferred(claim: string, retryAt: Date): void;
  finished(claim: string, folder: FinalFolder): void;
  /** Left in In_Progress/ for the next start (interrupted by shutdown, or an unexpected error). */
  released(claim: string): void;
  /** One line of "recent actions" (steps report through `observer`; this is for plan-level ends). */
  action(claim: string, action: string, outcome: RecentOutcome): void;
  /** Files in Approved/ still being written, not yet claimed. */
  settling(count: number): void;
}

export interface TrackerSnapshot {
  readonly waiting: number;
  readonly inProgress: number;
  readonly deferred: number;
  /** Plans finished in the last two days (enough for "today" and the failure window), oldest first. */
  readonly finished: readonly FinishedPlan[];
  /** Newest first. */
  readonly recent: readonly RecentAction[];
}

type PlanState = 'queued' | 'running' | 'deferred';

const KEEP_FINISHED_MS = 48 * 3_600_000;

export class PlanTracker implements PlanEvents {
  private readonly plans = new Map<string, PlanState>();
  private finishedPlans: FinishedPlan[] = [];
  private readonly recentActions: RecentAction[] = [];
  private settlingFiles = 0;

  constructor(
    private readonly now: () => Date,
    private readonly onChange: () => void,
    private readonly recentLimit = 20,
  ) {}

  /** Plans that finished before this start (from the final folders), so "done today" survives a restart. */
  seed(finished: readonly FinishedPlan[]): void {
    this.finishedPlans = [...finished, ...this.finishedPlans].sort((a, b) => a.at.getTime() - b.at.getTime());
    this.onChange();
  }

  queued(claim: string): void {
    this.set(claim, 'queued');
  }
  running(claim: string): void {
    this.set(claim, 'running');
  }
  deferred(claim: string, _retryAt: Date): void {
    this.set(claim, 'deferred');
  }
  released(claim: string): void {
    this.plans.delete(claim);
    this.onChange();
  }
  finished(claim: string, folder: FinalFolder): void {
    this.plans.delete(claim);
    const now = this.now();
    this.finishedPlans = this.finishedPlans.filter((p) => now.getTime() - p.at.getTime() < KEEP_FINISHED_MS);
    this.finishedPlans.push({ at: now, folder, file: claim });
    this.onChange();
  }
  action(claim: string, action: string, outcome: RecentOutcome): void {
    this.recentActions.unshift({ at: this.now(), action, outcome, file: claim });
    this.recentActions.length = Math.min(this.recentActions.length, this.recentLimit);
    this.onChange();
  }
  settling(count: number): void {
    if (count === this.settlingFiles) return;
    this.settlingFiles = count;
    this.onChange();
  }

  /** Each finished step of `claim` becomes a recent action. */
  observer(claim: string): ExecutionObserver {
    return {
      attemptStarting: async () => undefined,
      attemptFinished: async () => undefined,
      stepFinished: async (step, outcome) => {
        const kind = recentOutcomeOf(outcome);
        if (kind) this.action(claim, step.action ?? `${step.server}.${step.tool}`, kind);
      },
    };
  }

  snapshot(): TrackerSnapshot {
    const count = (state: PlanState): number => [...this.plans.values()].filter((s) => s === state).length;
    return {
      waiting: count('queued') + this.settlingFiles,
      inProgress: count('running'),
      deferred: count('deferred'),
      finished: [...this.finishedPlans],
      recent: [...this.recentActions],
    };
  }

  private set(claim: string, state: PlanState): void {
    if (this.plans.get(claim) === state) return;
    this.plans.set(claim, state);
    this.onChange();
  }
}

function recentOutcomeOf(outcome: StepOutcome): RecentOutcome | undefined {
  switch (outcome.kind) {
    case 'succeeded':
      return 'success';
    case 'failed':
      return 'failed';
    case 'needs_review':
      return 'needs_review';
    case 'deferred':
      return 'deferred';
    case 'not_run':
      return undefined;
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown step outcome ${JSON.stringify(unreachable)}`);
    }
  }
}
