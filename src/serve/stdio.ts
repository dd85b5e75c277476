/**
 * `serve`: the orchestrator's MCP server over stdio, for one client (Claude Desktop, Claude Code…),
 * until the client closes stdin or the process is told to stop. Runs beside a daemon or without one:
 * it takes no lock and runs no plan.
 */
import { auditOversize } from './call-audit.js';
import type { ServeContext } from './context.js';
import { connectSession } from './server.js';
import { BoundedStdioTransport } from './stdio-transport.js';

export async function serveStdio(ctx: ServeContext, signal: AbortSignal): Promise<void> {
  const stdio = new BoundedStdioTransport();
  stdio.onoversize = (size, tool) => auditOversize(ctx.audit, 'stdio', size, tool);
  let ended!: () => void;
  const closed = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const server = await connectSession(ctx, stdio, 'stdio', ended);
  const stop = (): void => void server.close();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  await closed;
  signal.removeEventListener('abort', stop);
}
