/**
 * One configured server's connection: opened lazily, reused, reopened with backoff after the server
 * dies (a crashed stdio server is restarted by the next call). The tool list is cached per connection.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/schema.js';
import { reconnectDelayMs, sleep } from './backoff.js';
import { McpCallError, messageOf } from './errors.js';
import { redact, secretsOf } from './redact.js';
import { scopedSignal } from './scoped-signal.js';
import { openClient, type Live } from './open-client.js';

export interface ConnectionDeps {
  readonly env: Record<string, string>;
  /** Working directory for stdio servers without their own `cwd`. */
  readonly defaultCwd: string;
  readonly now: () => number;
  readonly clientInfo: { name: string; version: string };
}


type State =
  | { readonly kind: 'idle'; readonly notBefore: number }
  | { readonly kind: 'connecting'; readonly promise: Promise<Live> }
  | { readonly kind: 'connected'; readonly live: Live }
  | { readonly kind: 'closed' };

const STDERR_TAIL_CHARS = 2_000;
/** Longest wait for the ping that checks a server after one of its calls timed out. */
const PROBE_TIMEOUT_MS = 5_000;

export class ServerConnection {
  private state: State = { kind: 'idle', notBefore: 0 };
  private failures = 0;
  private stderrTail = '';
  /** The last failure seen, for `servers` and error messages. */
  lastError: string | undefined;
  /** Configured values (tokens, URL credentials) that no message of ours may quote. */
  private readonly secrets: readonly string[];

  constructor(
    readonly name: string,
    private readonly config: ServerConfig,
    private readonly deps: ConnectionDeps,
  ) {
    this.secrets = secretsOf(config, deps.env);
  }

  /** An error's message, fit to print: the server's configured secrets masked. */
  private said(error: unknown): string {
    return redact(messageOf(error), this.secrets);
  }

  get connected(): boolean {
    return this.state.kind === 'connected';
  }

  get protocolVersion(): string | undefined {
    return this.state.kind === 'connected' ? this.state.live.protocolVersion : undefined;
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
    const listing = (live.tools ??= this.fetchTools(live.client, timeoutMs, signal));
    try {
      return await listing;
    } catch (error) {
      if (live.tools === listing) live.tools = undefined; // a newer listing may already be under way
      throw new McpCallError(this.name, 'connect', `${this.name}: could not list tools: ${this.said(error)}`, {
        cause: error,
      });
    }
  }

  async callTool(
    request: { name: string; arguments: Record<string, unknown>; _meta?: Record<string, unknown> },
    timeoutMs: number,
    signal?: AbortSignal,
    /** Told the moment the request is handed to the transport: from then on it may reach the server. */
    onSending?: () => void,
  ): Promise<CallToolResult> {
    const live = await this.live(timeoutMs, signal);
    onSending?.();
    const scoped = scopedSignal(signal);
    try {
      const result = (await live.client.callTool(request, undefined, {
        timeout: timeoutMs,
        maxTotalTimeout: timeoutMs,
        signal: scoped.signal,
      })) as CallToolResult;
      this.failures = 0;
      return result;
    } catch (error) {
      this.lastError = this.said(error);
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) await this.checkAlive(live, timeoutMs);
      throw new McpCallError(this.name, 'call', `${this.name}.${request.name}: ${this.said(error)}`, { cause: error });
    } finally {
      scoped.release();
    }
  }

  /**
   * After a call timed out: does the server still answer a ping? One that does merely had a slow tool.
   * One that does not (its output closed, or it is wedged while its process lives on) would time out
   * every later call too, and no exit event will ever say so: drop it, so the next call restarts it.
   */
  private checkAlive(live: Live, timeoutMs: number): Promise<void> {
    live.probe ??= live.client
      .ping({ timeout: Math.min(timeoutMs, PROBE_TIMEOUT_MS) })
      .then(
        () => undefined,
        (error: unknown) => {
          if (this.state.kind !== 'connected' || this.state.live !== live) return;
          this.noteFailure(new Error(`the server stopped answering (no reply to a ping after a call timed out: ${messageOf(error)})`));
          void live.client.close().catch(() => undefined);
        },
      )
      .finally(() => {
        live.probe = undefined;
      });
    return live.probe;
  }

  async ping(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const live = await this.live(timeoutMs, signal);
    const scoped = scopedSignal(signal);
    try {
      await live.client.ping({ timeout: timeoutMs, signal: scoped.signal });
    } finally {
      scoped.release();
    }
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
      const scoped = scopedSignal(signal);
      const page = await client
        .listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs, signal: scoped.signal })
        .finally(() => scoped.release());
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
          // Joining a connect already under way: its failure reaches this caller masked and typed too.
          try {
            return await state.promise;
          } catch (error) {
            throw new McpCallError(this.name, 'connect', `${this.name}: cannot connect: ${this.said(error)}`, { cause: error });
          }
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
              return live;
            }
            // close() came while we were connecting: the client is closed; nothing may be sent on it.
            throw new Error('the connection pool closed while connecting');
          } catch (error) {
            if (this.state.kind === 'connecting' && this.state.promise === promise) this.noteFailure(error);
            throw new McpCallError(this.name, 'connect', `${this.name}: cannot connect: ${this.said(error)}`, {
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
    this.lastError = redact(messageOf(error) + (this.stderrTail ? ` (stderr: ${lastLine(this.stderrTail)})` : ''), this.secrets);
    this.state = { kind: 'idle', notBefore: this.deps.now() + reconnectDelayMs(this.failures) };
  }

  private open(timeoutMs: number, signal?: AbortSignal): Promise<Live> {
    // The SDK never removes its abort listener: give it a signal of its own, not the daemon-long one.
    const scoped = scopedSignal(signal);
    return openClient(this.config, {
      ...this.deps,
      timeoutMs,
      signal: scoped.signal,
      onStderr: (text) => {
        this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
      },
      onClose: (live) => {
        // The next call reconnects after a backoff.
        if (this.state.kind === 'connected' && this.state.live === live) {
          this.noteFailure(new Error('the server closed the connection'));
        }
      },
    }).finally(() => scoped.release());
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
