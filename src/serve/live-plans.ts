/**
 * The daemon's plans as its event stream tells them, for the MCP server it hosts: each step's outcome
 * as it happens, where each plan went, and a hook that hears every event (progress notifications and
 * resource updates). Memory is bounded: plans that ended are forgotten oldest first past a limit, and
 * any plan not heard of while many others were goes too (a run let go with its lease ends without an event).
 */
import type { PlanEvent } from '../events/plan-event.js';
import type { FinalFolder } from '../vault/folders.js';
import { SHORT, type StepView } from './plan-view.js';
import { unreachable } from '../core/errors.js';

export type LiveStep = Pick<StepView, 'outcome' | 'attempts' | 'result' | 'error'>;

export type LiveStatus = 'queued' | 'in_progress' | 'deferred' | 'completed' | 'failed' | 'cancelled' | 'needs_review' | 'released';

export interface LivePlan {
  readonly claim: string;
  readonly id: string;
  readonly status: LiveStatus;
  /** Vault-relative path once moved to its final folder. */
  readonly path?: string;
  readonly folder: 'In_Progress' | FinalFolder;
  readonly steps: ReadonlyMap<number, LiveStep>;
  readonly retryAt?: string;
  readonly error?: string;
}

const KEEP_ENDED = 500;
/** At most this many plans in all; past it, the one heard of least recently goes. */
const KEEP_ALL = 5_000;

export class LivePlans {
  /** In the order last heard of, oldest first. */
  private readonly plans = new Map<string, LivePlan>();
  /** The plans whose last event was their move or release, oldest end first (one heard of again leaves it). */
  private readonly ended = new Set<string>();

  constructor(
    private readonly onEvent: (event: PlanEvent, plan: LivePlan) => void,
    /** Hears a plan `letGo` changed, as `onEvent` hears the events: its waiters and subscribers look again. */
    private readonly onLetGo: (plan: LivePlan) => void = () => undefined,
  ) {}

  /** The most recent run known under this plan id. */
  byId(id: string): LivePlan | undefined {
    let found: LivePlan | undefined;
    for (const plan of this.plans.values()) if (plan.id === id) found = plan;
    return found;
  }

  readonly subscriber = (event: PlanEvent): void => {
    const claim = event.plan.claim;
    const old = this.plans.get(claim);
    const plan = reduce(old, event);
    // Re-insert so iteration order is recency: `byId` returns the latest run of an id.
    this.plans.delete(claim);
    this.plans.set(claim, plan);
    this.ended.delete(claim);
    if (event.type === 'plan_moved' || event.type === 'released') this.ended.add(claim);
    for (const oldest of this.ended) {
      if (this.ended.size <= KEEP_ENDED) break;
      this.forget(oldest);
    }
    for (const oldest of this.plans.keys()) {
      if (this.plans.size <= KEEP_ALL) break;
      this.forget(oldest);
    }
    this.onEvent(event, plan);
  };

  /**
   * This daemon holds the plan no more (its runner settled it) although no event said so — its lease was
   * lost while it was paused or cut off: its last look is not the plan's state (get_plan asks the cluster).
   */
  letGo(claim: string): void {
    const plan = this.plans.get(claim);
    if (!plan || this.ended.has(claim)) return;
    const released: LivePlan = { ...plan, status: 'released' };
    this.plans.set(claim, released);
    this.ended.add(claim);
    this.onLetGo(released);
  }

  /** How many plans are kept. */
  get size(): number {
    return this.plans.size;
  }

  private forget(claim: string): void {
    this.plans.delete(claim);
    this.ended.delete(claim);
  }
}

function reduce(old: LivePlan | undefined, event: PlanEvent): LivePlan {
  const fresh: LivePlan = { claim: event.plan.claim, id: event.plan.id, status: 'queued', folder: 'In_Progress', steps: new Map() };
  const plan = old ?? fresh;
  const withStep = (index: number, step: LiveStep): LivePlan => ({ ...plan, steps: new Map(plan.steps).set(index, step) });
  switch (event.type) {
    case 'claimed':
      return fresh;
    case 'queued':
      return { ...plan, status: plan.status === 'deferred' ? 'deferred' : 'queued' };
    case 'run_started': {
      const steps = new Map(plan.steps);
      for (const step of event.valid.steps) {
        if (event.carried.includes(step.index)) steps.set(step.index, { outcome: 'succeeded', attempts: steps.get(step.index)?.attempts ?? 0 });
        else steps.set(step.index, { outcome: 'pending', attempts: 0 });
      }
      return { ...plan, status: 'in_progress', steps, ...clear };
    }
    case 'attempt_started':
      return withStep(event.step.index, { outcome: 'running', attempts: event.attempt });
    case 'attempt_ended': {
      const { result } = event;
      if (result.ok) return withStep(event.step.index, { outcome: 'running', attempts: event.attempt, result: result.result.text.slice(0, SHORT) });
      return withStep(event.step.index, {
        outcome: event.retrying ? 'retrying' : 'running',
        attempts: event.attempt,
        error: `${result.error.type}: ${result.error.message}`.slice(0, SHORT),
      });
    }
    case 'step_ended': {
      const { outcome } = event;
      const attempts = Math.max(outcome.attempts, plan.steps.get(event.step.index)?.attempts ?? 0);
      if (outcome.kind === 'succeeded') return withStep(event.step.index, { outcome: 'succeeded', attempts, result: outcome.result.text.slice(0, SHORT) });
      return withStep(event.step.index, { outcome: outcome.kind, attempts, error: `${outcome.error.type}: ${outcome.error.message}`.slice(0, SHORT) });
    }
    case 'deferred':
      return { ...plan, status: 'deferred', retryAt: event.retryAt.toISOString(), error: event.reason.slice(0, SHORT) };
    case 'plan_ended': {
      const { outcome } = event;
      switch (outcome.kind) {
        case 'completed':
          return { ...plan, status: 'completed', ...clear };
        case 'failed':
          return { ...plan, status: outcome.cancelled ? 'cancelled' : 'failed', error: outcome.reason.slice(0, SHORT) };
        case 'needs_review':
          return { ...plan, status: 'needs_review', error: outcome.reason.slice(0, SHORT) };
        default:
          unreachable(outcome, 'plan end');
      }
    }
    case 'plan_moved':
      return { ...plan, folder: event.folder, path: event.path };
    case 'released':
      return { ...plan, status: 'released' };
    default:
      unreachable(event, 'plan event');
  }
}

const clear = { retryAt: undefined, error: undefined } as const;
