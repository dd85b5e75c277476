/** Builds the SDK transport for one configured server: stdio child process, Streamable HTTP or legacy SSE. */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RemoteServerConfig, StdioServerConfig } from '../config/schema.js';
import { fetchReadingRetryAfter } from './retry-after.js';
import { GroupStdioTransport } from './stdio-transport.js';
import { unreachable } from '../core/errors.js';

/** The wire a connection actually speaks; a bare `url` resolves to `http` or `sse` at its first connect. */
export type TransportKind = 'stdio' | 'http' | 'sse';

export interface BuiltTransport {
  readonly transport: Transport;
  readonly kind: TransportKind;
  /** Child stderr (stdio only), so its last lines can explain a crash instead of cluttering our output. */
  readonly stderr?: NodeJS.ReadableStream | null;
}

export function buildStdioTransport(server: StdioServerConfig, env: Record<string, string>, defaultCwd: string): BuiltTransport {
  const transport = new GroupStdioTransport({ command: server.command, args: server.args, env, cwd: server.cwd ?? defaultCwd });
  return { transport, kind: 'stdio', stderr: transport.stderr };
}

/**
 * A remote transport of the given kind. Configured headers go on every request: for SSE, the SDK
 * merges `requestInit.headers` into both the GET that opens the stream and the POSTs that carry
 * messages. An OAuth provider, when the server uses OAuth, adds the bearer token and refreshes it on 401.
 * Its fetch reads a 429's Retry-After (retry-after.ts); `now` dates an HTTP-date one.
 */
export function buildRemoteTransport(
  server: RemoteServerConfig,
  kind: 'http' | 'sse',
  authProvider: OAuthClientProvider | undefined,
  now: () => number,
): BuiltTransport {
  const options = {
    requestInit: { headers: server.headers },
    fetch: fetchReadingRetryAfter(now),
    ...(authProvider ? { authProvider } : {}),
  };
  const url = new URL(server.url);
  switch (kind) {
    case 'http':
      return { transport: new StreamableHTTPClientTransport(url, options), kind };
    case 'sse':
      return { transport: new SSEClientTransport(url, options), kind };
    default:
      unreachable(kind, 'remote transport');
  }
}
