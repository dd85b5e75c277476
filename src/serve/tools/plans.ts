/**
 * `list_plans`, `get_plan` and `wait_for_plan`: where plans are and how they went, read from the vault
 * (and, inside the daemon, from its live events). `wait_for_plan` returns when the plan is final or the
 * time is up, and sends `notifications/progress` per finished step when the caller gave a token.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { MAX_LIST_LIMIT, MAX_WAIT_MS, planIdInput } from '../bounds.js';
import type { ServeContext } from '../context.js';
import { planState, planStateShape, type PlanState } from '../plan-state.js';
import { listed, PLAN_FOLDERS, planSummaryShape } from '../plan-summary.js';
import { answer, guarded, Refusal } from './answer.js';
import { waitForPlan } from './wait.js';

export function registerPlanTools(server: McpServer, ctx: ServeContext): void {
  server.registerTool(
    'list_plans',
    {
      title: 'List plans',
      description: 'Plans in the vault, newest first: Pending_Approval/, Approved/, In_Progress/, Done/, Failed/, Needs_Review/, Rejected/.',
      inputSchema: {
        folder: z.enum(PLAN_FOLDERS).optional().describe('only this folder'),
        status: z.string().max(40).optional().describe("only plans whose file says this status (completed, failed, deferred…)"),
        limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe(`at most this many (default 50, at most ${MAX_LIST_LIMIT})`),
        cursor: z.string().max(100).optional().describe('next_cursor of the previous page'),
      },
      outputSchema: { plans: z.array(z.object(planSummaryShape)), total: z.number().int(), next_cursor: z.string().optional() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ folder, status, limit, cursor }) =>
      guarded(async () => {
        await ctx.look();
        const offset = cursor === undefined ? 0 : offsetOf(cursor);
        const all = ctx.index.all().filter((plan) => (folder === undefined || plan.folder === folder) && (status === undefined || plan.status === status));
        const size = limit ?? 50;
        const page = all.slice(offset, offset + size).map(listed);
        const next = offset + size < all.length ? cursorOf(offset + size) : undefined;
        const text = page.length === 0 ? 'no plans match' : page.map((p) => `${p.path}  ${p.id}  ${p.status ?? '-'}`).join('\n');
        return answer(`${all.length} plan(s)${next ? `, showing ${offset + 1}-${offset + page.length}` : ''}\n${text}`, {
          plans: page,
          total: all.length,
          ...(next ? { next_cursor: next } : {}),
        });
      }),
  );

  server.registerTool(
    'get_plan',
    {
      title: 'Show a plan',
      description: 'Folder, status, each step with its outcome, attempts and short result, the error, retry_at, and the Execution Log.',
      inputSchema: { id: planIdInput },
      outputSchema: planStateShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ id }) =>
      guarded(async () => {
        const state = await currentState(ctx, id);
        return answer(stateText(state), state);
      }),
  );

  server.registerTool(
    'wait_for_plan',
    {
      title: 'Wait for a plan to end',
      description:
        'Returns when the plan is final (Done/, Failed/, Needs_Review/, Rejected/) or timeout_ms has passed, with the same fields as get_plan. ' +
        'With a progress token, a notifications/progress is sent per finished step. A plan still in Pending_Approval/ waits for a human.',
      inputSchema: {
        id: planIdInput,
        timeout_ms: z.number().int().min(0).max(MAX_WAIT_MS, { error: `timeout_ms may be at most ${MAX_WAIT_MS} (10 minutes): call again to wait longer` }),
      },
      outputSchema: { ...planStateShape, timed_out: z.boolean(), waited_ms: z.number().int() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ id, timeout_ms }, extra) =>
      guarded(async () => {
        await currentState(ctx, id);
        const { state, timedOut, waitedMs } = await waitForPlan(ctx, id, timeout_ms, extra);
        const lead = timedOut ? `still not final after ${waitedMs} ms` : 'final';
        return answer(`${lead}: ${stateText(state)}`, { ...state, timed_out: timedOut, waited_ms: waitedMs });
      }),
  );
}

/** The plan now, after a fresh look at the vault; a refusal naming how to find ids when there is none. */
export async function currentState(ctx: ServeContext, id: string): Promise<PlanState> {
  await ctx.look();
  const state = await planState(ctx, id);
  if (!state) {
    throw new Refusal(`no plan with id ${JSON.stringify(id)} in ${PLAN_FOLDERS.map((f) => `${f}/`).join(', ')}: list_plans shows the ids there are`);
  }
  return state;
}

function stateText(state: PlanState): string {
  const done = state.steps.filter((step) => step.outcome === 'succeeded').length;
  const head = [`plan ${state.id} is in ${state.folder}/`, state.status ? `status ${state.status}` : 'no status yet', `${done}/${state.steps.length} step(s) succeeded`];
  if (state.error) head.push(`error: ${state.error}`);
  if (state.retry_at) head.push(`retry at ${state.retry_at}`);
  const steps = state.steps.map((s) => `- step ${s.index} ${s.server && s.tool ? `${s.server}.${s.tool}` : s.text}: ${s.outcome}${s.attempts ? ` (${s.attempts} attempt(s))` : ''}${s.result ? ` — ${s.result}` : s.error ? ` — ${s.error}` : ''}`);
  return [head.join(', '), ...steps].join('\n');
}

function cursorOf(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function offsetOf(cursor: string): number {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const offset = (value as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the refusal
  }
  throw new Refusal('the cursor is not one list_plans gave: call list_plans without a cursor, then pass its next_cursor');
}
