/**
 * The requests made on one open connection, each with a per-request child of the caller's signal
 * (scoped-signal.ts says why), and how to recognise a session the server no longer knows.
 */
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Live } from './open-client.js';
import { scopedSignal } from './scoped-signal.js';
import { httpStatusOf } from './transport-error.js';

export type ToolRequest = { name: string; arguments: Record<string, unknown>; _meta?: Record<string, unknown> };

/** Every page of the tool list. */
export async function listAllTools(live: Live, timeoutMs: number, signal?: AbortSignal): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const scoped = scopedSignal(signal);
    const page = await live.client
      .listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs, signal: scoped.signal })
      .finally(() => scoped.release());
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

export async function callOn(live: Live, request: ToolRequest, timeoutMs: number, signal?: AbortSignal): Promise<CallToolResult> {
  const scoped = scopedSignal(signal);
  try {
    return (await live.client.callTool(request, undefined, { timeout: timeoutMs, maxTotalTimeout: timeoutMs, signal: scoped.signal })) as CallToolResult;
  } finally {
    scoped.release();
  }
}

export async function pingOn(live: Live, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const scoped = scopedSignal(signal);
  try {
    await live.client.ping({ timeout: timeoutMs, signal: scoped.signal });
  } finally {
    scoped.release();
  }
}

/**
 * A Streamable HTTP request refused because the server no longer knows our session: it restarted.
 * The MCP spec says so: a 404 to a request carrying Mcp-Session-Id means the session is gone, and the
 * client must initialize a new one. Such a request was not processed.
 */
export function isLostSession(live: Live, error: unknown): boolean {
  return live.kind === 'http' && httpStatusOf(error) === 404 && (live.transport as StreamableHTTPClientTransport).sessionId !== undefined;
}
