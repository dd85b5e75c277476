/**
 * `serve`: the orchestrator's MCP server over stdio, for one client (Claude Desktop, Claude Code…),
 * until the client closes stdin or the process is told to stop. Runs beside a daemon or without one:
 * it takes no lock and runs no plan.
 */
import { AuditedTransport, AUDIT_SERVER } from './call-audit.js';
import type { ServeContext } from './context.js';
import { createSessionServer } from './server.js';
import { BoundedStdioTransport } from './stdio-transport.js';

export async function serveStdio(ctx: ServeContext, signal: AbortSignal): Promise<void> {
  const { server, detach } = createSessionServer(ctx);
  const stdio = new BoundedStdioTransport();
  stdio.onoversize = (size, tool) =>
    ctx.audit.record({ event: 'AUDIT', server: AUDIT_SERVER, tool: tool ?? '(unknown)', status: 'refused', message: `stdio: request of ${size} bytes refused as too large` });
  const transport = new AuditedTransport(stdio, ctx.audit, 'stdio');
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => {
      detach();
      resolve();
    };
  });
  await server.connect(transport);
  const stop = (): void => void server.close();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  await closed;
  signal.removeEventListener('abort', stop);
}
