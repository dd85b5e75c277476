/**
 * Entry-point plumbing shared by the bundled servers: connect an McpServer to stdio, report a failed start
 * in one line on stderr, and close cleanly on SIGTERM/SIGINT or when the client closes stdin.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

export async function serveStdio(name: string, build: () => Promise<McpServer>): Promise<void> {
  let server: McpServer;
  try {
    server = await build();
    await server.connect(new StdioServerTransport());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: failed to start: ${message}\n`);
    process.exit(1);
  }
  const stop = (): void => {
    server.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.once('end', stop);
}
