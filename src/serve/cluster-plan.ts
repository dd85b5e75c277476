/**
 * A plan as the cluster's database tells it (SPEC §11, §12), for `get_plan`, `wait_for_plan` and
 * `plan://{id}` on a node that did not run it: its owner node, its status and each step's outcome with
 * its result so far, folded from the journal by the same rules recovery uses. The reader is opened only
 * with `cluster` configured (the PostgreSQL client is loaded lazily). The fold is pure.
 */
import type { ClusterReader, PlanRun } from '../cluster/pg-reader.js';
import type { Config } from '../config/schema.js';
import { recoverState, type ClaimState } from '../journal/recover.js';
import type { LivePlan, LiveStatus, LiveStep } from './live-plans.js';
import { SHORT } from './plan-view.js';

/** Where the serve context reads plans other nodes run: the latest run of a plan id, if a node claimed it. */
export type ClusterPlans = Pick<ClusterReader, 'planRun' | 'close'>;

export async function openClusterPlans(cluster: NonNullable<Config['cluster']>): Promise<ClusterPlans> {
  const { ClusterReader } = await import('../cluster/pg-reader.js');
  return new ClusterReader(cluster.postgres, cluster.leaseMs);
}

/** A run from the database, in the live view's shape, with the node that owns it. */
export interface ClusterPlan {
  readonly node: string;
  readonly plan: LivePlan;
  /** The file's name in In_Progress/ at the claim, and its time of last record. */
  readonly name: string;
  readonly lastAt: string;
}

export function clusterPlanOf(id: string, run: PlanRun): ClusterPlan | undefined {
  const state = recoverState(run.records).get(run.claim);
  if (!state) return undefined;
  const status = statusOf(state, run.held);
  const steps = new Map<number, LiveStep>();
  for (const step of state.failed.values()) {
    const error = `${step.errorType ?? 'error'}: ${step.text ?? ''}`.slice(0, SHORT);
    steps.set(step.step, { outcome: failedOutcome(status), attempts: step.attempt, error });
  }
  for (const step of state.inFlight.values()) steps.set(step.step, { outcome: status === 'needs_review' ? 'needs_review' : 'running', attempts: step.attempt });
  for (const step of state.completed.values()) steps.set(step.step, { outcome: 'succeeded', attempts: step.attempt, result: step.result.text.slice(0, SHORT) });
  const finalized = state.finalized;
  const plan: LivePlan = {
    claim: state.name,
    id,
    status,
    folder: finalized?.folder ?? 'In_Progress',
    steps: new Map([...steps].sort(([a], [b]) => a - b)),
    ...(finalized ? { path: `${finalized.folder}/${finalized.file}` } : {}),
    ...(state.deferral ? { retryAt: state.deferral.retryAt, error: state.deferral.reason.slice(0, SHORT) } : {}),
  };
  return { node: run.node, plan, name: state.name, lastAt: state.lastAt };
}

function statusOf(state: ClaimState, held: boolean): LiveStatus {
  if (state.finalized) {
    switch (state.finalized.folder) {
      case 'Done':
        return 'completed';
      case 'Failed':
        return 'failed';
      case 'Needs_Review':
        return 'needs_review';
    }
  }
  if (state.deferral) return 'deferred';
  // Not held and not final: its node let it go (or stopped); the next node to take it over resumes it.
  return held ? 'in_progress' : 'released';
}

function failedOutcome(status: LiveStatus): LiveStep['outcome'] {
  if (status === 'needs_review' || status === 'deferred') return status;
  return status === 'in_progress' ? 'retrying' : 'failed';
}
