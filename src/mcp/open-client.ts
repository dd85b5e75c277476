/**
 * Opens one SDK client on a server: builds the transport, captures what the SDK does not keep for us
 * (the negotiated protocol version, the child's stderr), and initializes within the deadline.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/schema.js';
import { buildTransport } from './transport.js';

/** An open connection and what is cached on it. */
export interface Live {
  readonly client: Client;
  /** The protocol version agreed at initialization. */
  protocolVersion?: string;
  tools?: Promise<Tool[]>;
  /** A liveness check in progress after a call timed out. */
  probe?: Promise<void>;
}

export interface OpenOptions {
  readonly env: Record<string, string>;
  readonly defaultCwd: string;
  readonly clientInfo: { name: string; version: string };
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onStderr: (text: string) => void;
  /** The server went away after the connection was up (crash, exit, stream closed). */
  readonly onClose: (live: Live) => void;
}

export async function openClient(config: ServerConfig, options: OpenOptions): Promise<Live> {
  const { transport, stderr } = buildTransport(config, options.env, options.defaultCwd);
  stderr?.on('data', (chunk: Buffer) => options.onStderr(chunk.toString()));
  const client = new Client(options.clientInfo);
  const live: Live = { client };
  // The SDK hands the negotiated version only to the transport (stdio has no setter): note it on the way.
  const passOn = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (version: string) => {
    live.protocolVersion = version;
    passOn?.(version);
  };
  client.onclose = () => options.onClose(live);
  try {
    await client.connect(transport, { timeout: options.timeoutMs, signal: options.signal });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return live;
}
