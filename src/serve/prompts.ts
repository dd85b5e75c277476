/**
 * The prompts: `draft_plan {goal}` gives an AI the plan format and the live action catalog, so its
 * first plan is valid; `review_failures` gives it the recent Failed/ and Needs_Review/ plans with their
 * errors, to explain them and propose fixes.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { cut } from '../core/text.js';
import type { ServeContext } from './context.js';
import { planState } from './plan-state.js';
import { listActions, type ActionEntry } from './tools/catalog.js';

const FORMAT = `## The plan format
A plan is one markdown file: YAML front matter, then a \`## Steps\` checklist. Each step is one list item with a
fenced \`yaml\` block under it naming an \`action\` and its arguments:

\`\`\`\`markdown
---
id: 2026-02-16-q4-proposal
mode: sequential          # or parallel (steps run once their depends_on are done)
expires: 2026-02-17T14:15:30Z
---
# Plan: Q4 proposal
## Steps
- [ ] Draft the cover note
  \`\`\`yaml
  id: draft
  action: ask_model
  prompt: Write a two-line cover note.
  \`\`\`
- [ ] Send it
  \`\`\`yaml
  action: send_email
  to: client@example.com
  body: "{{ steps.draft.text }}"
  \`\`\`
\`\`\`\`

Step keys with meaning: \`action\` (or \`server\` + \`tool\`), \`id\`, \`depends_on\` (ids), \`timeout_ms\`, \`retries\`,
\`idempotency_key\`; every other key is an argument of the action's tool (\`args:\` holds arguments whose names clash).
Templates: \`{{ steps.ID.text }}\`, \`{{ steps.ID.structured.PATH }}\`, \`{{ plan.FIELD }}\`, \`{{ now }}\`; a reference makes
a dependency. Plan keys: \`id\`, \`mode\`, \`expires\`, \`approved_actions\` (an allowlist). Arguments must satisfy the tool's
input schema exactly (no unknown names). A free-text step that names no action is left for a human.`;

const NEXT = `## Then
1. Call \`check_plan\` with the whole markdown and fix every problem it names (each names its step and line).
2. Call \`submit_plan\` (optionally with a short \`name\`): it lands in Pending_Approval/.
3. Tell the human the path: they approve by moving the file into Approved/.
4. Call \`wait_for_plan\` with the returned id to follow it to its end, or \`get_plan\` to look.`;

export function registerPrompts(server: McpServer, ctx: ServeContext): void {
  server.registerPrompt(
    'draft_plan',
    {
      title: 'Draft a plan',
      description: 'The plan format and the live action catalog, to write a plan that validates at the first try',
      argsSchema: { goal: z.string().max(2_000).describe('what the plan should achieve') },
    },
    async ({ goal }) => {
      const actions = await listActions(ctx);
      const text = [`Write an mcp-orchestrator plan for this goal:\n\n${goal}`, FORMAT, `## Actions you may use (live)\n${actions.map(describeAction).join('\n')}`, NEXT].join('\n\n');
      return { description: `plan format and ${actions.length} action(s)`, messages: [{ role: 'user', content: { type: 'text', text } }] };
    },
  );

  server.registerPrompt(
    'review_failures',
    { title: 'Review failed plans', description: 'Recent plans in Failed/ and Needs_Review/, with their errors and last log lines' },
    async () => {
      await ctx.look();
      const failed = ctx.index
        .all()
        .filter((plan) => plan.folder === 'Failed' || plan.folder === 'Needs_Review')
        .slice(0, 10);
      const parts: string[] = [];
      for (const plan of failed) {
        const state = await planState(ctx, plan.id);
        const log = (state?.execution_log ?? []).slice(-5).map((line) => `    ${cut(line, 300)}`);
        parts.push(`- ${plan.path} (id ${plan.id}), status ${plan.status ?? '?'}: ${plan.error ?? 'no error recorded'}${log.length ? `\n${log.join('\n')}` : ''}`);
      }
      const intro =
        failed.length === 0
          ? 'No plan is in Failed/ or Needs_Review/ right now.'
          : 'These plans did not complete. For each: say what went wrong, what to change, and whether it is safe to run again. ' +
            'A Needs_Review/ plan had a step whose outcome is unknown: check whether it happened before a human re-approves it. ' +
            'A fixed plan is submitted anew with submit_plan.';
      return { description: `${failed.length} plan(s) to review`, messages: [{ role: 'user', content: { type: 'text', text: `${intro}\n\n${parts.join('\n')}` } }] };
    },
  );
}

function describeAction(action: ActionEntry): string {
  const schema = action.input_schema as { properties?: Record<string, { type?: unknown; description?: unknown }>; required?: unknown } | undefined;
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  const args = Object.entries(schema?.properties ?? {})
    .filter(([name]) => name !== 'idempotency_key')
    .map(([name, prop]) => `${name}${required.has(name) ? '' : '?'}: ${typeof prop.type === 'string' ? prop.type : 'value'}`);
  const health = action.server_health.state === 'reachable' ? '' : ` [server ${action.server_health.state}]`;
  const about = action.description ? ` — ${action.description.replace(/\.$/, '')}` : '';
  return `- \`${action.name}\` (${action.server}.${action.tool})${about}; arguments: ${args.length ? args.join(', ') : '(none listed)'}; ${action.idempotent ? 'safe to repeat' : 'not repeated on an unknown outcome'}${action.keywords.length ? `; keywords: ${action.keywords.join(', ')}` : ''}${health}`;
}
