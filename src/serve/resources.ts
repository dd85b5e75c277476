/**
 * The resources: `orchestrator://dashboard` (markdown for people), `orchestrator://actions` and
 * `orchestrator://servers` (JSON), and `plan://{id}` (the get_plan view), listed for recent plans.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { isPlainId } from './bounds.js';
import type { ServeContext } from './context.js';
import { planState } from './plan-state.js';
import { PLAN_FOLDERS } from './plan-summary.js';
import { listActions, serversNow } from './tools/catalog.js';

export const DASHBOARD_URI = 'orchestrator://dashboard';
const ACTIONS_URI = 'orchestrator://actions';
const SERVERS_URI = 'orchestrator://servers';
const LISTED_PLANS = 100;

export function planUri(id: string): string {
  return `plan://${encodeURIComponent(id)}`;
}

/** The id a `plan://` URI names, or undefined. */
export function idOfPlanUri(uri: string): string | undefined {
  if (!uri.startsWith('plan://')) return undefined;
  try {
    return decodeURIComponent(uri.slice('plan://'.length));
  } catch {
    return undefined;
  }
}

const json = (uri: string, value: unknown) => ({ contents: [{ uri, mimeType: 'application/json', text: `${JSON.stringify(value, null, 2)}\n` }] });

export function registerResources(server: McpServer, ctx: ServeContext): void {
  server.registerResource(
    'dashboard',
    DASHBOARD_URI,
    { title: 'Orchestrator dashboard', description: 'Plans per folder, the latest plans, the agents’ recent reports, whether a daemon runs', mimeType: 'text/markdown' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: await dashboardText(ctx) }] }),
  );
  server.registerResource(
    'actions',
    ACTIONS_URI,
    { title: 'Actions', description: 'The list_actions catalog as JSON', mimeType: 'application/json' },
    async (uri) => json(uri.href, { actions: await listActions(ctx) }),
  );
  server.registerResource(
    'servers',
    SERVERS_URI,
    { title: 'Servers', description: 'Each configured MCP server: enabled, reachable, its tools, the daemon’s breaker', mimeType: 'application/json' },
    async (uri) => json(uri.href, { servers: await serversView(ctx) }),
  );
  server.registerResource(
    'plan',
    new ResourceTemplate('plan://{id}', {
      list: async () => ({
        resources: ctx.index
          .all()
          .slice(0, LISTED_PLANS)
          .map((plan) => ({ uri: planUri(plan.id), name: plan.id, description: `${plan.path}${plan.status ? `, ${plan.status}` : ''}`, mimeType: 'application/json' })),
      }),
    }),
    { title: 'A plan', description: 'Where a plan is, its status, each step’s outcome and its Execution Log (as get_plan)', mimeType: 'application/json' },
    async (uri) => {
      const id = idOfPlanUri(uri.href);
      if (id === undefined || !isPlainId(id)) throw new McpError(ErrorCode.InvalidParams, `${uri.href} does not name a plan: use plan://<id> with an id from list_plans`);
      await ctx.look();
      const state = await planState(ctx, id);
      if (!state) throw new McpError(ErrorCode.InvalidParams, `no plan with id ${JSON.stringify(id)}: list_plans shows the ids there are`);
      return json(uri.href, state);
    },
  );
}

async function serversView(ctx: ServeContext): Promise<unknown[]> {
  const { mcpServers } = ctx.config;
  const enabled = Object.keys(mcpServers).filter((name) => mcpServers[name]?.enabled);
  const { catalog, breakerOf } = await serversNow(ctx, enabled);
  return ctx.pool.status().map((status) => {
    const listed = catalog.get(status.name);
    const breaker = breakerOf(status.name);
    return {
      name: status.name,
      type: status.type,
      enabled: status.enabled,
      reachable: listed?.ok === true,
      ...(listed?.ok ? { tools: [...listed.tools.keys()].sort() } : {}),
      ...(listed && !listed.ok ? { error: listed.error } : {}),
      ...(status.serverVersion ? { server_version: status.serverVersion } : {}),
      ...(breaker ? { daemon_breaker: breaker.state } : {}),
    };
  });
}

async function dashboardText(ctx: ServeContext): Promise<string> {
  const daemon = await ctx.daemon.describe();
  const plans = ctx.index.all();
  const lines = ['# Orchestrator', '', daemon.running ? `Daemon: running (pid ${daemon.pid ?? '?'})${daemon.url ? `, MCP at ${daemon.url}` : ''}` : 'Daemon: not running (approved plans wait in Approved/)', '', '## Plans', '', '| folder | plans |', '|---|---|'];
  for (const folder of PLAN_FOLDERS) lines.push(`| ${folder} | ${plans.filter((plan) => plan.folder === folder).length} |`);
  lines.push('', '## Latest plans', '');
  if (plans.length === 0) lines.push('(none)');
  for (const plan of plans.slice(0, 10)) lines.push(`- ${plan.modified} ${plan.path} (${plan.id}): ${plan.status ?? 'no status'}${plan.error ? ` — ${plan.error}` : ''}`);
  lines.push('', '## Agents', '');
  if (ctx.agents.length === 0) lines.push('(no reports yet)');
  for (const report of [...ctx.agents].reverse().slice(0, 10)) {
    lines.push(`- ${report.at} ${report.agent} ${report.phase} ${report.status}: ${report.message}${report.plan ? ` (plan ${report.plan})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
