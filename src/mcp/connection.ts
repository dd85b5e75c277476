/**
 * One configured server's connection: opened lazily, reused, reopened with backoff after the server
 * dies (a crashed stdio server is restarted by the next call). The tool list is cached per connection.
 */
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/schema.js';
import { reconnectDelayMs, sleep } from './backoff.js';
import { McpCallError, messageOf } from './errors.js';
import { oauthFailureIn } from './oauth/errors.js';
import { ServerOAuth } from './oauth/server-oauth.js';
import { redact, secretsOf, strongestFirst } from './redact.js';
import { scopedSignal } from './scoped-signal.js';
import { callOn, isLostSession, listAllTools, pingOn, type ToolRequest } from './live-requests.js';
import { openClient, type Live } from './open-client.js';
import { describeTransportError } from './transport-error.js';

export interface ConnectionDeps {
  readonly env: Record<string, string>;
  /** Working directory for stdio servers without their own `cwd`. */
  readonly defaultCwd: string;
  readonly now: () => number;
  readonly clientInfo: { name: string; version: string };
  /** Folder of the OAuth state files (config/state-dir.ts), for remote servers. */
  readonly oauthDir?: string;
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
  private readonly configuredSecrets: readonly string[];
  /** A remote server's OAuth; used when configured or authorized with `auth`. */
  private readonly oauth: ServerOAuth | undefined;
  /** For a bare `url`: the transport that worked, kept for the rest of the process. */
  private remembered: 'http' | 'sse' | undefined;

  constructor(
    readonly name: string,
    private readonly config: ServerConfig,
    private readonly deps: ConnectionDeps,
  ) {
    this.configuredSecrets = secretsOf(config, deps.env);
    if ((config.type === 'http' || config.type === 'sse') && deps.oauthDir !== undefined) {
      this.oauth = new ServerOAuth(name, config, deps.oauthDir, deps.now);
    }
  }

  /** Secrets no message may quote: the configured ones and the current OAuth tokens. */
  private get secrets(): readonly string[] {
    return this.oauth ? strongestFirst([...this.configuredSecrets, ...this.oauth.secrets()]) : this.configuredSecrets;
  }

  /** An error's message, fit to print: HTML bodies cut, the server's secrets masked. */
  private said(error: unknown): string {
    return redact(describeTransportError(oauthFailureIn(error) ?? error) + (this.oauth?.hint(error) ?? ''), this.secrets);
  }

  /** The wire the connection speaks, once connected (for a bare `url`: the one that worked). */
  get transportKind(): Live['kind'] | undefined {
    return this.state.kind === 'connected' ? this.state.live.kind : this.remembered;
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
    try {
      return await this.withSession(timeoutMs, signal, async (live) => {
        const listing = (live.tools ??= listAllTools(live, timeoutMs, signal));
        try {
          return await listing;
        } catch (error) {
          if (live.tools === listing) live.tools = undefined; // a newer listing may already be under way
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof McpCallError) throw error;
      throw new McpCallError(this.name, 'connect', `${this.name}: could not list tools: ${this.said(error)}`, {
        cause: error,
      });
    }
  }

  async callTool(
    request: ToolRequest,
    timeoutMs: number,
    signal?: AbortSignal,
    /** Told the moment the request is handed to the transport: from then on it may reach the server. */
    onSending?: () => void,
  ): Promise<CallToolResult> {
    let sentOn: Live | undefined;
    try {
      const result = await this.withSession(timeoutMs, signal, async (live) => {
        onSending?.();
        sentOn = live;
        return callOn(live, request, timeoutMs, signal);
      });
      this.failures = 0;
      return result;
    } catch (error) {
      if (error instanceof McpCallError) throw error;
      this.lastError = this.said(error);
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout && sentOn) await this.checkAlive(sentOn, timeoutMs);
      // Refused for want of authorization (a 401 the token could not be refreshed for): not processed.
      const phase = oauthFailureIn(error) ? 'connect' : 'call';
      throw new McpCallError(this.name, phase, `${this.name}.${request.name}: ${this.said(error)}`, { cause: error });
    }
  }

  /**
   * Runs `op` on the open connection. When the server lost our session (isLostSession: it restarted),
   * the request was refused unprocessed: `op` runs once more on a new session. Any other failure is
   * the caller's to judge (a request that may have been processed is never sent again here).
   */
  private async withSession<T>(timeoutMs: number, signal: AbortSignal | undefined, op: (live: Live) => Promise<T>): Promise<T> {
    const live = await this.live(timeoutMs, signal);
    await this.freshAuthorization();
    try {
      return await op(live);
    } catch (error) {
      if (!isLostSession(live, error)) throw error;
      this.forget(live);
      return op(await this.live(timeoutMs, signal));
    }
  }

  /** A connection dropped on purpose: the next `live()` opens a new one at once, without backoff. */
  private forget(live: Live): void {
    if (this.state.kind === 'connected' && this.state.live === live) this.state = { kind: 'idle', notBefore: 0 };
    void live.client.close().catch(() => undefined);
  }

  /** Before a request on an OAuth server: a token that is about to expire is refreshed first. */
  private async freshAuthorization(): Promise<void> {
    try {
      await this.oauth?.beforeRequest();
    } catch (error) {
      this.lastError = this.said(error);
      throw new McpCallError(this.name, 'connect', `${this.name}: ${this.said(error)}`, { cause: oauthFailureIn(error) ?? error });
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
    await this.withSession(timeoutMs, signal, (live) => pingOn(live, timeoutMs, signal));
  }

  async close(): Promise<void> {
    const previous = this.state;
    this.state = { kind: 'closed' };
    if (previous.kind === 'connected') await previous.live.client.close().catch(() => undefined);
    if (previous.kind === 'connecting') {
      await previous.promise.then((live) => live.client.close()).catch(() => undefined);
    }
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
              if (live.kind !== 'stdio') this.remembered = live.kind;
              return live;
            }
            // close() came while we were connecting: the client is closed; nothing may be sent on it.
            throw new Error('the connection pool closed while connecting');
          } catch (error) {
            if (this.state.kind === 'connecting' && this.state.promise === promise) this.noteFailure(error);
            throw new McpCallError(this.name, 'connect', `${this.name}: cannot connect: ${this.said(error)}`, {
              cause: oauthFailureIn(error) ?? error,
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
    this.lastError = this.said(error) + redact(this.stderrTail ? ` (stderr: ${lastLine(this.stderrTail)})` : '', this.secrets);
    this.state = { kind: 'idle', notBefore: this.deps.now() + reconnectDelayMs(this.failures) };
  }

  private async open(timeoutMs: number, signal?: AbortSignal): Promise<Live> {
    // A token that expires soon is refreshed before the initialize, not after its 401.
    const authProvider = await this.oauth?.forConnect();
    // The SDK never removes its abort listener: give it a signal of its own, not the daemon-long one.
    const scoped = scopedSignal(signal);
    return openClient(this.config, {
      ...this.deps,
      timeoutMs,
      signal: scoped.signal,
      ...(this.remembered ? { remembered: this.remembered } : {}),
      ...(authProvider ? { authProvider } : {}),
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
