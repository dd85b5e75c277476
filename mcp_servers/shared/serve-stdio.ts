/**
 * Entry-point plumbing shared by the bundled servers: connect an McpServer to stdio, report a failed start
 * in one line on stderr, and stop cleanly on SIGTERM/SIGINT or when the client closes stdin — after the
 * calls in flight have answered. A signal meant for the whole process group (Ctrl-C in a terminal,
 * `systemctl stop`, PM2's tree kill) must not cut a send in half: the e-mail would be in an unknown state.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Longest wait for calls in flight once asked to stop; a call that hangs longer is cut. */
const DRAIN_MS = 30_000;

export async function serveStdio(name: string, build: () => Promise<McpServer>): Promise<void> {
  let server: McpServer;
  const transport = new StdioServerTransport();
  try {
    server = await build();
    await server.connect(transport);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: failed to start: ${message}\n`);
    process.exit(1);
  }
  const inFlight = countRequests(transport);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const cut = setTimeout(() => process.exit(0), DRAIN_MS);
    void inFlight.idle().then(() => {
      clearTimeout(cut);
      void server.close().finally(() => process.exit(0));
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.once('end', stop);
}

/** Counts requests received but not yet answered on `transport`. */
function countRequests(transport: StdioServerTransport): { idle(): Promise<void> } {
  const open = new Set<string | number>();
  let waiters: (() => void)[] = [];
  const receive = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && 'id' in message) open.add(message.id);
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    await send(message);
    if (!('method' in message) && 'id' in message && message.id !== undefined && open.delete(message.id) && open.size === 0) {
      for (const wake of waiters.splice(0)) wake();
    }
  };
  return {
    idle: () => (open.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (waiters = [...waiters, resolve]))),
  };
}
