/**
 * What the daemon is doing with its plans, as the dashboard and the alert rules see it: which claims
 * wait, run or are deferred, which plans finished when, and the last actions. It hears the plan events
 * (its subscriber) and, from the scanner, how many files in Approved/ are still being written; it is
 * read as a plain snapshot.
 */
import { oneLine } from '../core/text.js';
import type { PlanEvent } from '../events/plan-event.js';
import type { StepOutcome } from '../events/step-result.js';
import type { FinalFolder } from '../vault/folders.js';
import { unreachable } from '../core/errors.js';

export type RecentOutcome = 'success' | 'failed' | 'needs_review' | 'deferred';

export interface RecentAction {
  readonly at: Date;
  /** The action name, or `server.tool` for a step that named its tool directly; `(plan)` for the plan itself. */
  readonly action: string;
  readonly outcome: RecentOutcome;
  /** The plan's file name. */
  readonly file: string;
  /** Why it did not succeed, in one line (a failed plan shows its reason). */
  readonly reason?: string;
}

export interface FinishedPlan {
  readonly at: Date;
  readonly folder: FinalFolder;
  readonly file: string;
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

export class PlanTracker {
  private readonly plans = new Map<string, PlanState>();
  private finishedPlans: FinishedPlan[] = [];
  private readonly recentActions: RecentAction[] = [];
  private settlingFiles = 0;

  constructor(
    private readonly now: () => Date,
    private readonly onChange: () => void,
    readonly recentLimit = 20,
  ) {}

  /** Plans that finished before this start (from the final folders), so "done today" survives a restart. */
  seed(finished: readonly FinishedPlan[]): void {
    this.finishedPlans = [...finished, ...this.finishedPlans].sort((a, b) => a.at.getTime() - b.at.getTime());
    this.onChange();
  }

  /** Actions of earlier runs (read back from the log), listed after this run's. */
  seedRecent(earlier: readonly RecentAction[]): void {
    this.recentActions.push(...earlier);
    this.recentActions.length = Math.min(this.recentActions.length, this.recentLimit);
    this.onChange();
  }

  /** Follows the plan events. */
  readonly subscriber = (event: PlanEvent): void => {
    const claim = event.plan.claim;
    switch (event.type) {
      case 'queued':
        return this.set(claim, 'queued');
      case 'run_started':
        return this.set(claim, 'running');
      case 'deferred':
        if (!event.step && !event.resumed) this.action(claim, '(server unavailable)', 'deferred', event.reason);
        return this.set(claim, 'deferred');
      case 'step_ended': {
        const kind = recentOutcomeOf(event.outcome);
        const reason = event.outcome.kind === 'succeeded' ? undefined : `${event.outcome.error.type}: ${event.outcome.error.message}`;
        return this.action(claim, event.step.action ?? `${event.step.server}.${event.step.tool}`, kind, reason);
      }
      case 'plan_ended':
        // A step's end is already listed; a plan that ended without one (invalid, refused) is listed as itself.
        if (event.outcome.kind !== 'completed' && !event.outcome.cause) {
          this.action(claim, event.outcome.kind === 'failed' && event.outcome.problems ? '(invalid plan)' : '(plan)', event.outcome.kind, event.outcome.reason);
        }
        return;
      case 'plan_moved':
        return this.finished(claim, event.folder);
      case 'released':
        this.plans.delete(claim);
        return this.onChange();
      case 'claimed':
      case 'attempt_started':
      case 'attempt_ended':
        return;
      default:
        unreachable(event, 'plan event');
    }
  };

  /**
   * This daemon holds the plan no more (its runner settled it): it is no longer waiting, running or
   * deferred here, even when no event said so (a plan let go with its lease ends without one).
   */
  letGo(claim: string): void {
    if (this.plans.delete(claim)) this.onChange();
  }

  /** Files in Approved/ still being written, not yet claimed (told by the scanner). */
  settling(count: number): void {
    if (count === this.settlingFiles) return;
    this.settlingFiles = count;
    this.onChange();
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

  private finished(claim: string, folder: FinalFolder): void {
    this.plans.delete(claim);
    const now = this.now();
    this.finishedPlans = this.finishedPlans.filter((p) => now.getTime() - p.at.getTime() < KEEP_FINISHED_MS);
    this.finishedPlans.push({ at: now, folder, file: claim });
    this.onChange();
  }

  private action(claim: string, action: string, outcome: RecentOutcome, reason?: string): void {
    const entry = { at: this.now(), action, outcome, file: claim, ...(reason !== undefined ? { reason: oneLine(reason) } : {}) };
    this.recentActions.unshift(entry);
    this.recentActions.length = Math.min(this.recentActions.length, this.recentLimit);
    this.onChange();
  }

  private set(claim: string, state: PlanState): void {
    if (this.plans.get(claim) === state) return;
    this.plans.set(claim, state);
    this.onChange();
  }
}

function recentOutcomeOf(outcome: StepOutcome): RecentOutcome {
  switch (outcome.kind) {
    case 'succeeded':
      return 'success';
    case 'failed':
    case 'needs_review':
    case 'deferred':
      return outcome.kind;
    default:
      unreachable(outcome, 'step outcome');
  }
}
