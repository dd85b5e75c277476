/**
 * `cancel_plan`: a plan waiting for approval or for the daemon (Pending_Approval/, or Approved/ not
 * yet claimed) is moved into Rejected/ and marked `status: cancelled` there; a running one is the
 * daemon's to stop (daemon-link.ts): it stops before its next step and ends in Failed/ with
 * `status: cancelled`. Nothing is ever written into a lifecycle folder from here.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import path from 'node:path';
import { z } from 'zod';
import { isMissing } from '../../core/errno.js';
import { formatLocalDateTime, oneLine } from '../../core/text.js';
import { diskPlanFile, PlanFileWriter } from '../../run/plan-file.js';
import { moveNoClobber } from '../../vault/move-no-clobber.js';
import { planIdInput, textInput } from '../bounds.js';
import type { ServeContext } from '../context.js';
import type { PlanSummary } from '../plan-summary.js';
import { answer, guarded, Refusal } from './answer.js';
import { currentState } from './plans.js';
import { unreachable } from '../../core/errors.js';

const cancelShape = {
  id: z.string(),
  outcome: z.enum(['rejected', 'stopping']).describe('rejected: moved into Rejected/; stopping: the daemon stops it before its next step'),
  path: z.string().describe('where the plan is now (for stopping: still In_Progress/ until its step ends)'),
  message: z.string(),
};

export function registerCancelTool(server: McpServer, ctx: ServeContext): void {
  server.registerTool(
    'cancel_plan',
    {
      title: 'Cancel a plan',
      description:
        'A plan waiting in Pending_Approval/ or Approved/ goes to Rejected/; a running one stops before its next step (the call in flight finishes) and ends in Failed/ with status: cancelled.',
      inputSchema: { id: planIdInput, reason: textInput('the reason', 500).min(1, { error: 'say why the plan is cancelled' }) },
      outputSchema: cancelShape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ id, reason }) => guarded(() => cancel(ctx, id, oneLine(reason))),
  );
}

async function cancel(ctx: ServeContext, id: string, reason: string) {
  await currentState(ctx, id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const plan = ctx.index.find(id) as PlanSummary;
    switch (plan.folder) {
      case 'Pending_Approval':
      case 'Approved': {
        const moved = await reject(ctx, plan, reason);
        if (!moved) break; // claimed (or moved by a human) meanwhile: look where it went
        return answer(`plan ${id} cancelled: moved from ${plan.folder}/ to ${moved}`, { id, outcome: 'rejected', path: moved, message: `moved to ${moved}` });
      }
      case 'In_Progress': {
        const reply = await ctx.daemon.cancel(plan.name, id, reason);
        if (!reply.ok) throw new Refusal(`plan ${id} is running and was not cancelled: ${reply.message}`);
        return answer(`plan ${id}: ${reply.message}`, { id, outcome: 'stopping', path: plan.path, message: reply.message });
      }
      case 'Done':
      case 'Failed':
      case 'Needs_Review':
      case 'Rejected':
        throw new Refusal(`plan ${id} has already ended (it is in ${plan.folder}/): there is nothing to cancel`);
      default:
        unreachable(plan.folder, 'folder');
    }
    await currentState(ctx, id);
  }
  throw new Refusal(`plan ${id} kept moving while it was being cancelled: look with get_plan and try again`);
}

/** Moves the plan into Rejected/ and marks it there; undefined when it was no longer where it was. */
async function reject(ctx: ServeContext, plan: PlanSummary, reason: string): Promise<string | undefined> {
  const vault = ctx.config.vault;
  let target: string;
  try {
    target = await moveNoClobber(path.join(vault, plan.folder, plan.name), path.join(vault, 'Rejected'));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  const at = ctx.clock.now();
  // Rejected/ is no lifecycle folder: the mark is ours to write. `cancelled`, not `rejected`: a human
  // who moves it back into Approved/ on purpose gets it run, as with any plan they approve. Only keys
  // a single-action plan reserves (status, error): any other would become one of its tool's arguments.
  await new PlanFileWriter(diskPlanFile(target))
    .update({ fields: { status: 'cancelled', error: `cancelled: ${reason}` }, logLines: [`- ${formatLocalDateTime(at)} cancelled before it ran: ${reason}`] })
    .catch(() => undefined);
  await ctx.look();
  return path.relative(vault, target);
}
