/** Builds the SDK transport for one configured server: stdio child process or Streamable HTTP. */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerConfig } from '../config/schema.js';

export interface BuiltTransport {
  readonly transport: Transport;
  /** Child stderr (stdio only), so its last lines can explain a crash instead of cluttering our output. */
  readonly stderr?: NodeJS.ReadableStream | null;
}

export function buildTransport(server: ServerConfig, env: Record<string, string>, defaultCwd: string): BuiltTransport {
  switch (server.type) {
    case 'stdio': {
      // No shell: command and args go to spawn as an argument vector, never interpolated.
      const transport = new StdioClientTransport({
        command: server.command,
        args: server.args,
        env,
        cwd: server.cwd ?? defaultCwd,
        stderr: 'pipe',
      });
      return { transport, stderr: transport.stderr as NodeJS.ReadableStream | null };
    }
    case 'http':
      return {
        transport: new StreamableHTTPClientTransport(new URL(server.url), {
          requestInit: { headers: server.headers },
        }),
      };
    default: {
      const unreachable: never = server;
      throw new Error(`unknown server type in ${JSON.stringify(unreachable)}`);
    }
  }
}
