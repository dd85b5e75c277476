/**
 * One plan as `get_plan`, `wait_for_plan` and the `plan://{id}` resource show it: where it is, what its
 * file says, each step's outcome, and its Execution Log; with the daemon's live events when hosted.
 */
import path from 'node:path';
import { z } from 'zod';
import { messageOf } from '../core/text.js';
import type { ServeContext } from './context.js';
import { clusterPlanOf, type ClusterPlan } from './cluster-plan.js';
import type { LivePlan } from './live-plans.js';
import { readPlanFile } from './plan-index.js';
import { listed, planSummaryShape, type PlanSummary } from './plan-summary.js';
import { planDetails, stepShape, withLive } from './plan-view.js';

export const planStateShape = {
  ...planSummaryShape,
  steps: z.array(stepShape),
  execution_log: z.array(z.string()),
  problems: z.array(z.string()).describe('why the file cannot be read as a plan, if it cannot'),
  live: z.boolean().describe("true when the daemon's own events are shown (the server runs inside the daemon)"),
  node: z.string().optional().describe('with cluster: the node that holds the plan now, else the one that ran it last (from the database)'),
};

export type PlanState = z.infer<z.ZodObject<typeof planStateShape>>;

/** The plan's state now; undefined when no plan folder holds this id. */
export async function planState(ctx: ServeContext, id: string): Promise<PlanState | undefined> {
  let summary = ctx.index.find(id);
  let text: string | undefined;
  // The daemon may move the file between the index's look and this read: look again where it went.
  for (let look = 1; summary; look++) {
    const read = await readPlanFile(path.join(ctx.config.vault, summary.folder, summary.name), summary.size);
    if (read !== 'gone') {
      text = read?.toString('utf8');
      break;
    }
    if (look === LOOKS_FOR_A_MOVED_FILE) break;
    await ctx.index.refresh();
    summary = ctx.index.find(id);
  }
  // The daemon's live record of this file's run, when it is the same file (In_Progress/ or where it moved).
  const heard = summary && ctx.live?.byId(summary.id);
  const live = heard && summary && sameFile(heard, summary) ? heard : undefined;
  // The database only when this node's own events cannot tell (wait_for_plan asks again and again).
  const cluster = live === undefined || live.status === 'released' ? await clusterRun(ctx, id) : { problems: [] };
  if (!summary) return cluster.plan ? journalOnly(cluster.plan, cluster.problems) : undefined;
  // Another node's run (or this one's after it let the plan go): the database knows it better than the file.
  const remote = cluster.plan && sameFile(cluster.plan.plan, summary) ? cluster.plan : undefined;
  const shown = remote?.plan ?? live;
  const details = text === undefined ? { steps: [], log: [], problems: ['the file could not be read (moved meanwhile, or larger than a plan may be)'] } : planDetails(text, summary.name, ctx.config.actions, summary.status);
  const merged = withLive(details, shown);
  const status = shown && summary.folder === 'In_Progress' && shown.status !== 'released' ? shown.status : summary.status;
  const node = remote?.node ?? (live && ctx.config.cluster ? ctx.config.cluster.node : undefined);
  return {
    ...listed(summary),
    ...(status !== undefined ? { status } : {}),
    steps: [...merged.steps],
    execution_log: [...merged.log],
    problems: [...merged.problems, ...cluster.problems],
    live: live !== undefined && remote === undefined,
    ...(node !== undefined ? { node } : {}),
  };
}

/** The plan's latest run in the cluster's database; a database that cannot be read is a problem, not a failure. */
async function clusterRun(ctx: ServeContext, id: string): Promise<{ plan?: ClusterPlan; problems: string[] }> {
  if (!ctx.cluster) return { problems: [] };
  try {
    const run = await ctx.cluster.planRun(id);
    return { plan: run && clusterPlanOf(id, run), problems: [] };
  } catch (error) {
    return { problems: [`the other nodes' view is missing: ${messageOf(error)}`] };
  }
}

/** A plan the database knows but this host's vault does not show (yet): its steps from the journal alone. */
function journalOnly(cluster: ClusterPlan, problems: readonly string[]): PlanState {
  const { plan } = cluster;
  const path = plan.path ?? `In_Progress/${cluster.name}`;
  return {
    id: plan.id,
    folder: plan.folder,
    path,
    status: plan.status,
    final: plan.folder !== 'In_Progress',
    modified: cluster.lastAt,
    ...(plan.error !== undefined ? { error: plan.error } : {}),
    ...(plan.retryAt !== undefined ? { retry_at: plan.retryAt } : {}),
    steps: [...plan.steps].map(([index, step]) => ({ index, id: `step-${index}`, text: `step ${index}`, ...step })),
    execution_log: [],
    problems: [`${path} is not in this host's vault (yet): shown from the cluster's journal`, ...problems],
    live: false,
    node: cluster.node,
  };
}

/** Is this run the one of this file (In_Progress/ by its name there, a final folder by where it moved)? */
function sameFile(plan: LivePlan, summary: PlanSummary): boolean {
  return summary.folder === 'In_Progress' ? plan.claim === summary.name : plan.path === summary.path;
}

const LOOKS_FOR_A_MOVED_FILE = 3;
