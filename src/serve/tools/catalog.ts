/**
 * `list_actions` and `check_plan`: what a plan may do, and whether a plan is valid, exactly as the
 * daemon will judge it (run/prepare.ts, the live tool schemas), without calling any tool.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { statePaths } from '../../config/state-dir.js';
import { readDaemonHealth } from '../../monitor/health-file.js';
import type { PlanProblem } from '../../plan/types.js';
import type { ValidPlan } from '../../plan/validated.js';
import { preparePlan, type Prepared } from '../../run/prepare.js';
import { markdownInput, MAX_MARKDOWN_BYTES, utf8Bytes } from '../bounds.js';
import type { ServeContext } from '../context.js';
import { answer, guarded, Refusal } from './answer.js';
import { formatProblem } from '../../plan/problems.js';

const healthShape = z.object({
  state: z.enum(['reachable', 'unreachable', 'disabled', 'breaker_open']),
  error: z.string().optional(),
});

const actionShape = z.object({
  name: z.string(),
  description: z.string().optional(),
  server: z.string(),
  tool: z.string(),
  idempotent: z.boolean(),
  keywords: z.array(z.string()),
  input_schema: z.record(z.string(), z.unknown()).optional().describe("the tool's JSON Schema for its arguments, as its server lists it"),
  server_health: healthShape,
});

export const problemShape = z.object({
  code: z.string(),
  message: z.string(),
  step: z.number().int().optional(),
  line: z.number().int().optional(),
  text: z.string().describe('the problem in one line, as `check` prints it'),
});

const checkShape = {
  valid: z.boolean(),
  id: z.string().optional(),
  mode: z.enum(['sequential', 'parallel']).optional(),
  problems: z.array(problemShape),
  steps: z.array(
    z.object({ index: z.number().int(), id: z.string(), kind: z.enum(['run', 'done', 'manual']), text: z.string(), server: z.string().optional(), tool: z.string().optional(), action: z.string().optional(), depends_on: z.array(z.string()) }),
  ),
};

export type ActionEntry = z.infer<typeof actionShape>;

/** What these servers list now, and the running daemon's breaker of each (from its health file). */
export async function serversNow(ctx: ServeContext, servers: readonly string[]) {
  const [catalog, health] = await Promise.all([ctx.pool.catalog(servers), readDaemonHealth(statePaths(ctx.config.state).health)]);
  return { catalog, breakerOf: (server: string) => (health?.running ? health.breakers[server] : undefined) };
}

export async function listActions(ctx: ServeContext): Promise<ActionEntry[]> {
  const { actions, mcpServers } = ctx.config;
  const servers = [...new Set(Object.values(actions).map((action) => action.server))].filter((name) => mcpServers[name]?.enabled);
  const { catalog, breakerOf } = await serversNow(ctx, servers);
  return Object.entries(actions).map(([name, action]): ActionEntry => {
    const listed = catalog.get(action.server);
    const breaker = breakerOf(action.server);
    const schema = listed?.ok ? listed.tools.get(action.tool)?.inputSchema : undefined;
    let server_health: z.infer<typeof healthShape>;
    if (!mcpServers[action.server]?.enabled) server_health = { state: 'disabled' };
    else if (breaker && breaker.state !== 'closed') server_health = { state: 'breaker_open', ...(breaker.lastError ? { error: breaker.lastError.message } : {}) };
    else if (!listed || !listed.ok) server_health = { state: 'unreachable', error: listed && !listed.ok ? listed.error : 'not asked' };
    else if (!schema) server_health = { state: 'unreachable', error: `the server has no tool ${action.tool}` };
    else server_health = { state: 'reachable' };
    return {
      name,
      ...(action.description !== undefined ? { description: action.description } : {}),
      server: action.server,
      tool: action.tool,
      idempotent: action.idempotent,
      keywords: action.keywords,
      ...(schema ? { input_schema: { ...schema } } : {}),
      server_health,
    };
  });
}

/** Parses and validates like `check`; refuses markdown over the plan size limit. */
export async function checkMarkdown(ctx: ServeContext, markdown: string, fileName = 'plan.md'): Promise<Prepared> {
  const bytes = utf8Bytes(markdown);
  if (bytes > MAX_MARKDOWN_BYTES) {
    throw new Refusal(`the markdown is ${bytes} bytes, more than a plan may be (${MAX_MARKDOWN_BYTES} bytes): split the plan into smaller ones`);
  }
  return preparePlan(Buffer.from(markdown, 'utf8'), fileName, { config: ctx.config, catalog: ctx.pool, clock: ctx.clock, schemaChecker: ctx.schemaChecker });
}

export function problemsOf(problems: readonly PlanProblem[]): z.infer<typeof problemShape>[] {
  return problems.map((p) => {
    const { file: _file, ...rest } = p;
    return { ...rest, text: formatProblem(rest) };
  });
}

function checkResult(prepared: Prepared): z.infer<z.ZodObject<typeof checkShape>> {
  if (!prepared.ok) return { valid: false, ...(prepared.plan ? { id: prepared.plan.id } : {}), problems: problemsOf(prepared.problems), steps: [] };
  return { valid: true, id: prepared.plan.plan.id, mode: prepared.plan.mode, problems: [], steps: stepsOf(prepared.plan) };
}

function stepsOf(valid: ValidPlan): z.infer<z.ZodObject<typeof checkShape>>['steps'] {
  const run = valid.steps.map((s) => ({ index: s.index, id: s.id, kind: 'run' as const, text: s.text, server: s.server, tool: s.tool, ...(s.action ? { action: s.action } : {}), depends_on: [...s.dependsOn] }));
  const done = valid.done.map((s) => ({ index: s.index, id: s.id, kind: 'done' as const, text: s.text, depends_on: [] }));
  const manual = valid.manual.map((s) => ({ index: s.index, id: s.id, kind: 'manual' as const, text: s.text, depends_on: [] }));
  return [...run, ...done, ...manual].sort((a, b) => a.index - b.index);
}

export function registerCatalogTools(server: McpServer, ctx: ServeContext): void {
  server.registerTool(
    'list_actions',
    {
      title: 'List the actions a plan may use',
      description: 'Each configured action: name, description, server, tool, whether it may be repeated safely, its input schema and keywords, and whether its server is reachable now.',
      inputSchema: {},
      outputSchema: { actions: z.array(actionShape) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      guarded(async () => {
        const actions = await listActions(ctx);
        const down = actions.filter((a) => a.server_health.state !== 'reachable').length;
        return answer(`${actions.length} action(s): ${actions.map((a) => a.name).join(', ')}${down ? ` (${down} on a server not reachable now)` : ''}`, { actions });
      }),
  );

  server.registerTool(
    'check_plan',
    {
      title: 'Check a plan without running it',
      description: 'Parses and validates a plan exactly as the daemon will (actions, tools, argument schemas, templates, dependencies, expiry, policy) without calling any tool. Every problem names its step and line.',
      inputSchema: { markdown: markdownInput },
      outputSchema: checkShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ markdown }) =>
      guarded(async () => {
        const result = checkResult(await checkMarkdown(ctx, markdown));
        const head = result.valid ? `valid: plan ${result.id}, ${result.steps.filter((s) => s.kind === 'run').length} step(s) to run (${result.mode})` : `invalid, ${result.problems.length} problem(s):`;
        const lines = [head, ...result.problems.map((p) => `- ${p.text}`), ...result.steps.map((s) => `- step ${s.index} [${s.id}] ${s.kind === 'run' ? `${s.server}.${s.tool}` : s.kind}`)];
        return answer(lines.join('\n'), result);
      }),
  );
}
