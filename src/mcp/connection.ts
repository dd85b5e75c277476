/**
 * One configured server's connection: opened lazily, reused, reopened with backoff after the server
 * dies (a crashed stdio server is restarted by the next call). The tool list is cached per connection.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/schema.js';
import { reconnectDelayMs, sleep } from './backoff.js';
import { McpCallError, messageOf } from './errors.js';
import { buildTransport } from './transport.js';

export interface ConnectionDeps {
  readonly env: Record<string, string>;
  /** Working directory for stdio servers without their own `cwd`. */
  readonly defaultCwd: string;
  readonly now: () => number;
  readonly clientInfo: { name: string; version: string };
}

interface Live {
  readonly client: Client;
  tools?: Promise<Tool[]>;
}

type State =
  | { readonly kind: 'idle'; readonly notBefore: number }
  | { readonly kind: 'connecting'; readonly promise: Promise<Live> }
  | { readonly kind: 'connected'; readonly live: Live }
  | { readonly kind: 'closed' };

const STDERR_TAIL_CHARS = 2_000;

export class ServerConnection {
  private state: State = { kind: 'idle', notBefore: 0 };
  private failures = 0;
  private stderrTail = '';
  /** The last failure seen, for `servers` and error messages. */
  lastError: string | undefined;

  constructor(
    readonly name: string,
    private readonly config: ServerConfig,
    private readonly deps: ConnectionDeps,
  ) {}

  get connected(): boolean {
    return this.state.kind === 'connected';
  }

  get serverVersion(): { name: string; version: string } | undefined {
    return this.state.kind === 'connected' ? this.state.live.client.getServerVersion() : undefined;
  }

  /** Last lines the server wrote to stderr (stdio only). */
  get stderr(): string {
    return this.stderrTail;
  }

  async listTools(timeoutMs: number, signal?: AbortSignal): Promise<Tool[]> {
    const live = await this.live(timeoutMs, signal);
    live.tools ??= this.fetchTools(live.client, timeoutMs, signal);
    try {
      return await live.tools;
    } catch (error) {
      live.tools = undefined;
      throw new McpCallError(this.name, 'connect', `${this.name}: could not list tools: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  async callTool(
    request: { name: string; arguments: Record<string, unknown>; _meta?: Record<string, unknown> },
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<CallToolResult> {
    const live = await this.live(timeoutMs, signal);
    try {
      const result = (await live.client.callTool(request, undefined, {
        timeout: timeoutMs,
        maxTotalTimeout: timeoutMs,
        signal,
      })) as CallToolResult;
      this.failures = 0;
      return result;
    } catch (error) {
      this.lastError = messageOf(error);
      throw new McpCallError(this.name, 'call', `${this.name}.${request.name}: ${messageOf(error)}`, { cause: error });
    }
  }

  async ping(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const live = await this.live(timeoutMs, signal);
    await live.client.ping({ timeout: timeoutMs, signal });
  }

  async close(): Promise<void> {
    const previous = this.state;
    this.state = { kind: 'closed' };
    if (previous.kind === 'connected') await previous.live.client.close().catch(() => undefined);
    if (previous.kind === 'connecting') {
      await previous.promise.then((live) => live.client.close()).catch(() => undefined);
    }
  }

  private async fetchTools(client: Client, timeoutMs: number, signal?: AbortSignal): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs, signal });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /** The open connection, opening one if needed. Failures here mean nothing was sent. */
  private async live(timeoutMs: number, signal?: AbortSignal): Promise<Live> {
    for (;;) {
      const state = this.state;
      switch (state.kind) {
        case 'connected':
          return state.live;
        case 'connecting':
          return state.promise;
        case 'closed':
          throw new McpCallError(this.name, 'connect', `${this.name}: the connection pool is closed`, {
            cause: undefined,
          });
        case 'idle': {
          const wait = state.notBefore - this.deps.now();
          if (wait > timeoutMs) {
            throw new McpCallError(
              this.name,
              'connect',
              `${this.name} is unavailable (restarting in ${wait} ms after ${this.failures} failures): ${this.lastError ?? 'unknown error'}`,
              { cause: undefined },
            );
          }
          if (wait > 0) {
            await sleep(wait, signal);
            continue;
          }
          const promise = this.open(timeoutMs, signal);
          this.state = { kind: 'connecting', promise };
          try {
            const live = await promise;
            if (this.state.kind === 'connecting' && this.state.promise === promise) {
              this.state = { kind: 'connected', live };
            }
            return live;
          } catch (error) {
            if (this.state.kind === 'connecting' && this.state.promise === promise) this.noteFailure(error);
            throw new McpCallError(this.name, 'connect', `${this.name}: cannot connect: ${messageOf(error)}`, {
              cause: error,
            });
          }
        }
        default: {
          const unreachable: never = state;
          throw new Error(`unknown connection state ${JSON.stringify(unreachable)}`);
        }
      }
    }
  }

  private noteFailure(error: unknown): void {
    this.failures += 1;
    this.lastError = messageOf(error) + (this.stderrTail ? ` (stderr: ${lastLine(this.stderrTail)})` : '');
    this.state = { kind: 'idle', notBefore: this.deps.now() + reconnectDelayMs(this.failures) };
  }

  private async open(timeoutMs: number, signal?: AbortSignal): Promise<Live> {
    const { transport, stderr } = buildTransport(this.config, this.deps.env, this.deps.defaultCwd);
    stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    const client = new Client(this.deps.clientInfo);
    const live: Live = { client };
    client.onclose = () => {
      // The server went away (crash, exit, stream closed): the next call reconnects after a backoff.
      if (this.state.kind === 'connected' && this.state.live === live) {
        this.noteFailure(new Error('the server closed the connection'));
      }
    };
    try {
      await client.connect(transport, { timeout: timeoutMs, signal });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    return live;
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
