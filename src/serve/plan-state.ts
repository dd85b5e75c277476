/**
 * One plan as `get_plan`, `wait_for_plan` and the `plan://{id}` resource show it: where it is, what its
 * file says, each step's outcome, and its Execution Log; with the daemon's live events when hosted.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isMissing } from '../core/errno.js';
import { MAX_MARKDOWN_BYTES } from './bounds.js';
import type { ServeContext } from './context.js';
import type { LivePlan } from './live-plans.js';
import { PLAN_FOLDERS, type PlanSummary } from './plan-summary.js';
import { planDetails, STEP_OUTCOMES, withLive } from './plan-view.js';

export const stepShape = z.object({
  index: z.number().int(),
  id: z.string(),
  text: z.string(),
  server: z.string().optional(),
  tool: z.string().optional(),
  action: z.string().optional(),
  outcome: z.enum(STEP_OUTCOMES),
  attempts: z.number().int(),
  result: z.string().optional(),
  error: z.string().optional(),
});

export const planSummaryShape = {
  id: z.string(),
  folder: z.enum(PLAN_FOLDERS),
  path: z.string().describe('vault-relative path of the plan file'),
  status: z.string().optional().describe("the file's status field: pending, in_progress, deferred, completed, failed, cancelled, needs_review…"),
  final: z.boolean().describe('true in Done/, Failed/, Needs_Review/ or Rejected/: the plan does not move on by itself'),
  error: z.string().optional(),
  retry_at: z.string().optional(),
  completed_at: z.string().optional(),
  failed_at: z.string().optional(),
  modified: z.string(),
};

export const planStateShape = {
  ...planSummaryShape,
  steps: z.array(stepShape),
  execution_log: z.array(z.string()),
  problems: z.array(z.string()).describe('why the file cannot be read as a plan, if it cannot'),
  live: z.boolean().describe("true when the daemon's own events are shown (the server runs inside the daemon)"),
};

const PlanStateSchema = z.object(planStateShape);
export type PlanState = z.infer<typeof PlanStateSchema>;

export function summaryFields(summary: PlanSummary): z.infer<z.ZodObject<typeof planSummaryShape>> {
  return {
    id: summary.id,
    folder: summary.folder,
    path: summary.path,
    final: summary.final,
    modified: summary.modified,
    ...(summary.status !== undefined ? { status: summary.status } : {}),
    ...(summary.error !== undefined ? { error: summary.error } : {}),
    ...(summary.retryAt !== undefined ? { retry_at: summary.retryAt } : {}),
    ...(summary.completedAt !== undefined ? { completed_at: summary.completedAt } : {}),
    ...(summary.failedAt !== undefined ? { failed_at: summary.failedAt } : {}),
  };
}

/** The plan's state now; undefined when no plan folder holds this id. */
export async function planState(ctx: ServeContext, id: string): Promise<PlanState | undefined> {
  let summary = ctx.index.find(id);
  let text: string | undefined;
  // The daemon may move the file between the index's look and this read: look again where it went.
  for (let look = 1; summary && summary.size <= MAX_MARKDOWN_BYTES; look++) {
    const read = await readPlanText(path.join(ctx.config.vault, summary.folder, summary.name));
    if (read !== 'gone') {
      text = read;
      break;
    }
    if (look === LOOKS_FOR_A_MOVED_FILE) break;
    await ctx.index.refresh();
    summary = ctx.index.find(id);
  }
  if (!summary) return undefined;
  const live = liveFor(ctx, summary);
  const details = text === undefined ? { steps: [], log: [], problems: ['the file could not be read (moved meanwhile, or larger than a plan may be)'] } : planDetails(text, summary.name, ctx.config.actions, summary.status);
  const merged = withLive(details, live);
  const status = live && summary.folder === 'In_Progress' && live.status !== 'released' ? live.status : summary.status;
  return {
    ...summaryFields(summary),
    ...(status !== undefined ? { status } : {}),
    steps: merged.steps.map((step) => ({ ...step })),
    execution_log: [...merged.log],
    problems: [...merged.problems],
    live: live !== undefined,
  };
}

const LOOKS_FOR_A_MOVED_FILE = 3;

async function readPlanText(file: string): Promise<string | undefined | 'gone'> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    return isMissing(error) ? 'gone' : undefined;
  }
}

/** The daemon's live record of this file's run, when it is the same file (In_Progress/ or where it moved). */
function liveFor(ctx: ServeContext, summary: PlanSummary): LivePlan | undefined {
  const live = ctx.live?.byId(summary.id);
  if (!live) return undefined;
  const same = summary.folder === 'In_Progress' ? live.claim === summary.name : live.path === summary.path;
  return same ? live : undefined;
}

export function describeState(state: PlanState): string {
  const done = state.steps.filter((step) => step.outcome === 'succeeded').length;
  const parts = [`plan ${state.id} is in ${state.folder}/`, state.status ? `status ${state.status}` : 'no status yet', `${done}/${state.steps.length} step(s) succeeded`];
  if (state.error) parts.push(`error: ${state.error}`);
  if (state.retry_at) parts.push(`retry at ${state.retry_at}`);
  return parts.join(', ');
}
