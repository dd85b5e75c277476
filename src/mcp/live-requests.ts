/**
 * The requests made on one open connection, each with a per-request child of the caller's signal
 * (scoped-signal.ts says why) and a deadline judged by when the answer arrived (deadline.ts), and how to
 * recognise a session the server no longer knows.
 */
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Live } from './open-client.js';
import { requestDeadline, SDK_TIMEOUT_MS } from './deadline.js';
import { httpStatusOf } from './transport-error.js';

export type ToolRequest = { name: string; arguments: Record<string, unknown>; _meta?: Record<string, unknown> };

type SdkOptions = { timeout: number; signal: AbortSignal };

/** One SDK request under its own deadline, released however it ends. */
async function underDeadline<T>(timeoutMs: number, signal: AbortSignal | undefined, request: (options: SdkOptions) => Promise<T>): Promise<T> {
  const deadline = requestDeadline(timeoutMs, signal);
  try {
    return await request({ timeout: SDK_TIMEOUT_MS, signal: deadline.signal });
  } finally {
    deadline.release();
  }
}

/** Every page of the tool list. */
export async function listAllTools(live: Live, timeoutMs: number, signal?: AbortSignal): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await underDeadline(timeoutMs, signal, (options) => live.client.listTools(cursor ? { cursor } : undefined, options));
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

export async function callOn(live: Live, request: ToolRequest, timeoutMs: number, signal?: AbortSignal): Promise<CallToolResult> {
  return (await underDeadline(timeoutMs, signal, (options) => live.client.callTool(request, undefined, options))) as CallToolResult;
}

export async function pingOn(live: Live, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await underDeadline(timeoutMs, signal, (options) => live.client.ping(options));
}

/**
 * A Streamable HTTP request refused because the server no longer knows our session: it restarted.
 * The MCP spec says so: a 404 to a request carrying Mcp-Session-Id means the session is gone, and the
 * client must initialize a new one. Such a request was not processed.
 */
export function isLostSession(live: Live, error: unknown): boolean {
  return live.kind === 'http' && httpStatusOf(error) === 404 && (live.transport as StreamableHTTPClientTransport).sessionId !== undefined;
}
