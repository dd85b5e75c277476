/**
 * Opens one SDK client on a server: builds the transport, captures what the SDK does not keep for us
 * (the negotiated protocol version, the child's stderr), and initializes within the deadline. A bare
 * `url` is tried as Streamable HTTP first and, when the server refuses that with a 4xx, as legacy SSE,
 * as the MCP specification's backwards-compatibility section describes.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { RemoteServerConfig, ServerConfig } from '../config/schema.js';
import type { ConnectionDeps } from './server-link.js';
import { buildRemoteTransport, buildStdioTransport, type BuiltTransport, type TransportKind } from './transport.js';
import { describeTransportError, httpStatusOf } from './transport-error.js';
import { unreachable } from '../core/errors.js';

/** An open connection and what is cached on it. */
export interface Live {
  readonly client: Client;
  readonly transport: BuiltTransport['transport'];
  /** The wire it speaks (for a bare `url`: the one that worked). */
  readonly kind: TransportKind;
  /** The protocol version agreed at initialization. */
  protocolVersion?: string;
  tools?: Promise<Tool[]>;
  /** A liveness check in progress after a call timed out. */
  probe?: Promise<void>;
}

interface OpenOptions extends Pick<ConnectionDeps, 'env' | 'defaultCwd' | 'clientInfo' | 'now'> {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** For a bare `url`: the transport that worked earlier in this process, tried alone. */
  readonly remembered?: 'http' | 'sse';
  readonly authProvider?: OAuthClientProvider;
  readonly onStderr: (text: string) => void;
  /** The server went away after the connection was up (crash, exit, stream closed). */
  readonly onClose: (live: Live) => void;
}

/**
 * Statuses after which a bare `url` is tried as SSE: the spec says any 4xx (an SSE-only server has no
 * POST route there: 404, 405, 400). Not those that speak about us rather than the route: 401/403 are
 * authentication, 408 and 429 a busy server; falling back on them would hide the real problem.
 */
const NOT_A_FALLBACK = new Set([401, 403, 408, 429]);

export async function openClient(config: ServerConfig, options: OpenOptions): Promise<Live> {
  switch (config.type) {
    case 'stdio':
      return connect(buildStdioTransport(config, options.env, options.defaultCwd), options, options.timeoutMs);
    case 'sse':
      return connectRemote(config, 'sse', options);
    case 'http':
      if (config.sseFallback !== true || options.remembered === 'http') return connectRemote(config, 'http', options);
      if (options.remembered === 'sse') return connectRemote(config, 'sse', options);
      return openEither(config, options);
    case 'disabled':
      throw new Error('the server is disabled (enabled: false)');
    default:
      unreachable(config, 'server type in');
  }
}

async function openEither(config: RemoteServerConfig, options: OpenOptions): Promise<Live> {
  const started = options.now();
  let streamable: unknown;
  try {
    return await connectRemote(config, 'http', options);
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === undefined || status < 400 || status >= 500 || NOT_A_FALLBACK.has(status)) throw error;
    streamable = error;
  }
  // One deadline for both attempts: the caller asked for an answer within timeoutMs.
  const left = Math.max(1, options.timeoutMs - (options.now() - started));
  try {
    return await connectRemote(config, 'sse', options, left);
  } catch (error) {
    throw new Error(
      `${redactedUrl(config.url)} answered neither transport: Streamable HTTP (POST initialize) got ${describeTransportError(streamable)}; ` +
        `legacy SSE (GET, expecting an "endpoint" event) got ${describeTransportError(error)}. ` +
        'Check the URL (SSE servers often serve /sse, Streamable HTTP ones /mcp), or set "type": "http" or "type": "sse" on the server',
      { cause: error },
    );
  }
}

function connectRemote(config: RemoteServerConfig, kind: 'http' | 'sse', options: OpenOptions, timeoutMs = options.timeoutMs): Promise<Live> {
  return connect(buildRemoteTransport(config, kind, options.authProvider, options.now), options, timeoutMs);
}

async function connect(built: BuiltTransport, options: OpenOptions, timeoutMs: number): Promise<Live> {
  const { transport, stderr, kind } = built;
  stderr?.on('data', (chunk: Buffer) => options.onStderr(chunk.toString()));
  const client = new Client(options.clientInfo);
  const live: Live = { client, transport, kind };
  // The SDK hands the negotiated version only to the transport (stdio has no setter): note it on the way.
  const passOn = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (version: string) => {
    live.protocolVersion = version;
    passOn?.(version);
  };
  client.onclose = () => options.onClose(live);
  try {
    await client.connect(transport, { timeout: timeoutMs, signal: options.signal });
  } catch (error) {
    client.onclose = undefined;
    await client.close().catch(() => undefined);
    throw error;
  }
  return live;
}

/** The URL without credentials or query (which may hold a key), fit for a message. */
function redactedUrl(text: string): string {
  const url = new URL(text);
  return `${url.origin}${url.pathname}`;
}
