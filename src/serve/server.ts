/**
 * The orchestrator's own MCP server (SPEC §11), one instance per client session (stdio has one; HTTP
 * one per session), all over one shared `ServeContext`: the tools, resources and prompts, and the
 * resource subscriptions of this session (`notifications/resources/updated` when a subscribed plan
 * changes, `list_changed` when plans appear or go).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { AuditedTransport } from './call-audit.js';
import type { ServeContext } from './context.js';
import type { PlanChange } from './plan-changes.js';
import { registerPrompts } from './prompts.js';
import { DASHBOARD_URI, idOfPlanUri, planUri, registerResources } from './resources.js';
import { registerCatalogTools } from './tools/catalog.js';
import { registerCancelTool } from './tools/cancel.js';
import { registerPlanTools } from './tools/plans.js';
import { registerStatusTool } from './tools/status.js';
import { registerSubmitTool } from './tools/submit.js';
import { unreachable } from '../core/errors.js';

const SERVER_INFO = { name: 'mcp-orchestrator', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'The orchestrator runs human-approved plans as MCP tool calls. Learn the actions (list_actions, or the draft_plan prompt), ' +
  'check a plan (check_plan), submit it for approval (submit_plan: it lands in Pending_Approval/; a human approves by moving it into Approved/), ' +
  'then follow it (wait_for_plan, get_plan, or subscribe to plan://<id>). No tool can approve a plan.';

/** Notifications for one URI are coalesced: a burst of events is one update. */
const UPDATE_DELAY_MS = 50;

/** One session over `transport`, its calls audited as `who`'s; `onClosed` hears that it ended. */
export async function connectSession(ctx: ServeContext, transport: Transport, who: string, onClosed?: () => void): Promise<McpServer> {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  registerCatalogTools(server, ctx);
  registerSubmitTool(server, ctx);
  registerPlanTools(server, ctx);
  registerCancelTool(server, ctx);
  registerStatusTool(server, ctx);
  registerResources(server, ctx);
  registerPrompts(server, ctx);

  const subscribed = new Set<string>();
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(normalized(request.params.uri));
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(normalized(request.params.uri));
    return {};
  });

  const due = new Map<string, NodeJS.Timeout>();
  const updated = (uri: string): void => {
    if (!subscribed.has(uri) || due.has(uri)) return;
    due.set(
      uri,
      setTimeout(() => {
        due.delete(uri);
        if (server.isConnected()) void server.server.sendResourceUpdated({ uri }).catch(() => undefined);
      }, UPDATE_DELAY_MS),
    );
  };
  const onChange = (change: PlanChange): void => {
    switch (change.kind) {
      case 'plan':
        updated(planUri(change.id));
        updated(DASHBOARD_URI);
        return;
      case 'list':
        if (server.isConnected()) server.sendResourceListChanged();
        updated(DASHBOARD_URI);
        return;
      case 'agent':
        updated(DASHBOARD_URI);
        return;
      default:
        unreachable(change, 'change');
    }
  };
  const off = ctx.changes.on(onChange);
  server.server.onclose = () => {
    off();
    for (const timer of due.values()) clearTimeout(timer);
    due.clear();
    onClosed?.();
  };
  await server.connect(new AuditedTransport(transport, ctx.audit, who));
  return server;
}

/** `plan://a%20b` and `plan://a b` are one subscription. */
function normalized(uri: string): string {
  const id = idOfPlanUri(uri);
  return id === undefined ? uri : planUri(id);
}
