/**
 * `update_status`: an agent reports progress. Always an AGENT line in the audit log and a line on the
 * dashboard resource; with `plan`, also a line in that plan's Execution Log where that is safe: in
 * Pending_Approval/ or Rejected/ directly (no daemon writes there), in In_Progress/ only through the
 * daemon that runs it (its own writer, so neither overwrites the other), never in Approved/ or a final
 * folder (the daemon's to claim, or a record of what happened).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import path from 'node:path';
import { z } from 'zod';
import { cut, formatLocalDateTime, messageOf, oneLine } from '../../core/text.js';
import { diskPlanFile, PlanFileWriter } from '../../run/plan-file.js';
import { metadataInput, planIdInput, textInput } from '../bounds.js';
import { MAX_AGENT_REPORTS, type AgentReport, type ServeContext } from '../context.js';
import type { PlanSummary } from '../plan-summary.js';
import { answer, guarded } from './answer.js';
import { unreachable } from '../../core/errors.js';

const statusInput = {
  agent_name: textInput('agent_name', 100).min(1, { error: 'agent_name is empty: say which agent reports' }),
  phase: textInput('phase', 100),
  status: textInput('status', 50),
  message: textInput('message'),
  metadata: metadataInput.optional(),
  plan: planIdInput.optional(),
};
type StatusInput = z.infer<z.ZodObject<typeof statusInput>>;

const statusShape = {
  recorded: z.boolean().describe('the AGENT line is in the audit log'),
  plan: z.string().optional(),
  plan_log: z.enum(['written', 'not_written', 'no_plan']).describe("whether the line was added to the plan's Execution Log"),
  note: z.string(),
};

export function registerStatusTool(server: McpServer, ctx: ServeContext): void {
  server.registerTool(
    'update_status',
    {
      title: 'Report an agent’s progress',
      description: "An agent says where it is: an AGENT line in the audit log, on the dashboard, and in the plan's Execution Log when `plan` is given (where that is safe).",
      inputSchema: statusInput,
      outputSchema: statusShape,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    (input) => guarded(() => report(ctx, input)),
  );
}

async function report(ctx: ServeContext, input: StatusInput) {
  const at = ctx.clock.now();
  const agent = oneLine(input.agent_name);
  const entry: AgentReport = {
    at: at.toISOString(),
    agent,
    phase: oneLine(input.phase),
    status: oneLine(input.status),
    message: oneLine(input.message),
    ...(input.plan !== undefined ? { plan: input.plan } : {}),
  };
  ctx.audit.record({
    event: 'AGENT',
    ...(input.plan !== undefined ? { plan: input.plan } : {}),
    status: entry.status,
    message: `${agent} ${entry.phase}: ${entry.message}`,
    params: { agent_name: agent, phase: entry.phase, ...(input.metadata ? { metadata: input.metadata } : {}) },
  });
  ctx.agents.push(entry);
  if (ctx.agents.length > MAX_AGENT_REPORTS) ctx.agents.splice(0, ctx.agents.length - MAX_AGENT_REPORTS);
  ctx.changes.emit({ kind: 'agent' });
  if (input.plan === undefined) return answer(`recorded: ${agent} ${entry.phase} ${entry.status}`, { recorded: true, plan_log: 'no_plan', note: 'no plan given' });

  await ctx.look();
  const plan = ctx.index.find(input.plan);
  const line = `- ${formatLocalDateTime(at)} agent ${cut(agent, 100)} ${entry.phase} ${entry.status}: ${cut(entry.message, 300)}`;
  const { written, note } = plan ? await appendLine(ctx, plan, line) : { written: false, note: `no plan with id ${JSON.stringify(input.plan)}: the report is in the audit log only` };
  return answer(`recorded: ${agent} ${entry.phase} ${entry.status}; ${note}`, { recorded: true, plan: input.plan, plan_log: written ? 'written' : 'not_written', note });
}

async function appendLine(ctx: ServeContext, plan: PlanSummary, line: string): Promise<{ written: boolean; note: string }> {
  switch (plan.folder) {
    case 'Pending_Approval':
    case 'Rejected':
      try {
        await new PlanFileWriter(diskPlanFile(path.join(ctx.config.vault, plan.folder, plan.name))).update({ logLines: [line] });
        return { written: true, note: `added to the Execution Log of ${plan.path}` };
      } catch (error) {
        return { written: false, note: `could not add it to ${plan.path}: ${messageOf(error)}` };
      }
    case 'In_Progress': {
      const reply = await ctx.daemon.appendLog(plan.name, [line]);
      return { written: reply.ok, note: reply.message };
    }
    case 'Approved':
    case 'Done':
    case 'Failed':
    case 'Needs_Review':
      return { written: false, note: `the plan is in ${plan.folder}/, whose files are not written from here: the report is in the audit log only` };
    default:
      unreachable(plan.folder, 'folder');
  }
}
