/**
 * The MCP client pool: one lazily opened, reused connection per configured server, and a queue per
 * server that bounds calls in flight to its `maxConcurrency` (shared by every plan the process runs).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import PQueue from 'p-queue';
import type { ServerConfig } from '../config/schema.js';
import { oauthDir } from '../config/state-dir.js';
import type { ServerTools, ToolCatalog, ToolInfo } from '../plan/validated.js';
import { ServerConnection, type ConnectionStatus } from './connection.js';
import { messageOf } from '../core/text.js';
import { systemClock, type Clock } from '../core/clock.js';
import { McpCallError } from './errors.js';

export interface ToolCall {
  readonly server: string;
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly meta?: Record<string, unknown>;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** What the executor needs from the pool; tests may substitute it. */
export interface ToolCaller {
  callTool(call: ToolCall): Promise<CallToolResult>;
}

interface ServerStatus extends ConnectionStatus {
  readonly name: string;
  readonly type: ServerConfig['type'];
  readonly enabled: boolean;
}

interface PoolOptions {
  readonly servers: Readonly<Record<string, ServerConfig>>;
  /** Environment for a stdio server's process (explicit: nothing else is inherited). */
  readonly environmentFor: (name: string, server: ServerConfig) => Record<string, string>;
  readonly defaultCwd: string;
  /** Deadline for connecting and listing tools when the server sets none. */
  readonly defaultTimeoutMs: number;
  /** The runtime's one clock (the system's when not given): backoff, token expiry, ping times. */
  readonly clock?: Clock;
  /** Folder of the OAuth state files; `<stateRoot>/oauth` of this process's environment by default. */
  readonly oauthDir?: string;
}

export class McpPool implements ToolCaller {
  private readonly connections = new Map<string, ServerConnection>();
  private readonly queues = new Map<string, PQueue>();

  private readonly clock: Clock;

  constructor(private readonly options: PoolOptions) {
    this.clock = options.clock ?? systemClock;
    const oauthFiles = options.oauthDir ?? oauthDir(process.env);
    for (const [name, server] of Object.entries(options.servers)) {
      if (!server.enabled) continue;
      this.connections.set(
        name,
        new ServerConnection(name, server, {
          env: server.type === 'stdio' ? options.environmentFor(name, server) : {},
          defaultCwd: options.defaultCwd,
          now: () => this.clock.now().getTime(),
          clientInfo: { name: 'mcp-orchestrator', version: '0.1.0' },
          oauthDir: oauthFiles,
        }),
      );
      this.queues.set(name, new PQueue({ concurrency: server.maxConcurrency }));
    }
  }

  async callTool(call: ToolCall): Promise<CallToolResult> {
    const connection = this.connection(call.server);
    const queue = this.queues.get(call.server) as PQueue;
    const request = { name: call.tool, arguments: call.args, ...(call.meta ? { _meta: call.meta } : {}) };
    let sending = false;
    try {
      return (await queue.add(() => connection.callTool(request, call.timeoutMs, call.signal, () => (sending = true)), {
        signal: call.signal,
      })) as CallToolResult;
    } catch (error) {
      if (error instanceof McpCallError) throw error;
      // p-queue rejects with the bare abort reason even when the call is already under way, which would
      // read as "never sent" and let a non-idempotent call be sent again: say which phase it was in.
      throw new McpCallError(call.server, sending ? 'call' : 'connect', `${call.server}.${call.tool}: cancelled: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  async listTools(server: string, signal?: AbortSignal): Promise<ToolInfo[]> {
    const tools = await this.connection(server).listTools(this.timeoutFor(server), signal);
    return tools.map((tool) => ({
      name: tool.name,
      inputSchema: tool.inputSchema as Record<string, unknown>,
      ...(tool.outputSchema ? { outputSchema: tool.outputSchema as Record<string, unknown> } : {}),
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
    }));
  }

  /** The tools of each named server, listed concurrently; a server that cannot be reached says why. */
  async catalog(servers: Iterable<string>, signal?: AbortSignal): Promise<ToolCatalog> {
    const names = [...new Set(servers)].filter((name) => this.connections.has(name));
    const entries = await Promise.all(
      names.map(async (name): Promise<[string, ServerTools]> => {
        try {
          const tools = await this.listTools(name, signal);
          return [name, { ok: true, tools: new Map(tools.map((tool) => [tool.name, tool])) }];
        } catch (error) {
          return [name, { ok: false, error: messageOf(error) }];
        }
      }),
    );
    return new Map(entries);
  }

  /** Round-trip time of a ping, in milliseconds. */
  async ping(server: string, signal?: AbortSignal): Promise<number> {
    const started = this.clock.monotonicMs();
    await this.connection(server).ping(this.timeoutFor(server), signal);
    return this.clock.monotonicMs() - started;
  }

  status(): ServerStatus[] {
    return Object.entries(this.options.servers).map(([name, server]) => ({
      name,
      type: server.type,
      enabled: server.enabled,
      ...(this.connections.get(name)?.status() ?? { connected: false }),
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.close()));
  }

  private connection(server: string): ServerConnection {
    const connection = this.connections.get(server);
    if (!connection) {
      throw new McpCallError(server, 'connect', `server "${server}" is not configured or is disabled`);
    }
    return connection;
  }

  private timeoutFor(server: string): number {
    return this.options.servers[server]?.timeoutMs ?? this.options.defaultTimeoutMs;
  }
}
